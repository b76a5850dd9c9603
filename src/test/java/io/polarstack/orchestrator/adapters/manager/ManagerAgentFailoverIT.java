package io.polarstack.orchestrator.adapters.manager;

import static io.polarstack.orchestrator.adapters.manager.LocalPostgres.asPostgres;
import static io.polarstack.orchestrator.adapters.manager.LocalPostgres.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.Primary;
import io.polarstack.orchestrator.ports.ManagerClient.SlotType;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A failover with the manager agent of the built jar, through {@link JsonManagerClient} and {@link LocalPodExec}, on
 * this machine's PostgreSQL 15: a RW and two ROs streaming through their slots; the RW stops after a checkpoint,
 * RO1 replays past its shutdown checkpoint and is promoted, RO2 follows RO1, the old RW rejoins as a replica of RO1.
 * Then a former primary that wrote after the fork is rewound. The sockets live outside the data directories
 * (POLARSTACK_SOCKET_DIR): pg_rewind cannot copy a source whose socket is among its data files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagerAgentFailoverIT {

    private static final String REPLICATOR_PASSWORD = "fail'over\"pass\\word";

    private Path scratch;
    private int rwPort;
    private int ro1Port;
    private int ro2Port;
    private Target rw;
    private Target ro1;
    private Target ro2;
    private JsonManagerClient client;
    private long oldRwShutdownCheckpoint;

    @BeforeAll
    void setUp() throws IOException {
        scratch = LocalPostgres.scratch("polarstack-failover-it");
        asPostgres(List.of("mkdir", "-p", scratch.resolve("run").toString()), Map.of());
        rwPort = LocalPostgres.freePort();
        ro1Port = LocalPostgres.freePort();
        ro2Port = LocalPostgres.freePort();
        rw = target("rw-0", "rw");
        ro1 = target("ro-1", "ro1");
        ro2 = target("ro-2", "ro2");
        client = LocalPostgres.agentClient("POLARSTACK_SOCKET_DIR=" + scratch.resolve("run"));
    }

    private Target target(String pod, String dir) {
        return LocalPostgres.target(scratch, pod, dir);
    }

    @AfterAll
    void tearDown() {
        for (String dir : List.of("rw", "ro1", "ro2")) {
            LocalPostgres.stopQuietly(scratch.resolve(dir + "/data"));
        }
        LocalPostgres.run(List.of("rm", "-rf", scratch.toString()), Map.of());
    }

    private static InstallSpec loopback(InstallSpec spec) {
        return spec.withNetwork("127.0.0.1", List.of("127.0.0.1/32"))
                .withParams(Map.of("fsync", "off", "shared_buffers", "16MB"));
    }

    private Primary primary(int port) {
        return new Primary("127.0.0.1", port, "replicator", REPLICATOR_PASSWORD);
    }

    @Test
    @Order(1)
    void aRwAndTwoRosStreamThroughTheirSlots() throws Exception {
        client.install(rw, loopback(InstallSpec.rw(rwPort)));
        client.start(rw);
        assertTrue(client.createAccount(rw, "replicator", REPLICATOR_PASSWORD, 15));
        sql(rwPort, "create table t (id int primary key, note text)");
        assertEquals("on", query(rwPort, "show wal_log_hints"), "pg_rewind needs it (or checksums) on a former RW");
        assertEquals("replica_1002_ro_1", client.createSlot(rw, SlotType.REPLICA, "1002", "ro-1"));
        assertEquals("replica_1003_ro_2", client.createSlot(rw, SlotType.REPLICA, "1003", "ro-2"));
        client.install(ro1, loopback(InstallSpec.ro(ro1Port, primary(rwPort), "1002", "ro-1")));
        client.install(ro2, loopback(InstallSpec.ro(ro2Port, primary(rwPort), "1003", "ro-2")));
        client.start(ro1);
        client.start(ro2);
        awaitTrue(
                () -> "2".equals(query(rwPort, "select count(*) from pg_replication_slots where active")),
                "both ROs to stream");
        assertFalse(
                Files.exists(scratch.resolve("rw/data/.s.PGSQL." + rwPort)),
                "the socket is outside the data directory");
    }

    @Test
    @Order(2)
    void theRosReplayPastTheStoppedRwsShutdownCheckpoint() throws Exception {
        sql(rwPort, "insert into t select g, 'before' from generate_series(1, 100) g");
        client.checkpoint(rw);
        WalPosition rwPosition = client.walPosition(rw);
        assertTrue(rwPosition.primary());
        assertEquals(1, rwPosition.timeline());
        assertNull(rwPosition.received());
        assertTrue(rwPosition.replayed() > 0);

        assertEquals(
                "NOT_SHUT_DOWN",
                assertThrows(ManagerException.class, () -> client.shutdownCheckpoint(rw))
                        .code(),
                "it still runs");
        var stopped = client.stop(rw, ManagerClient.StopMode.FAST, 30);
        oldRwShutdownCheckpoint = client.shutdownCheckpoint(rw);
        assertEquals(
                Long.valueOf(oldRwShutdownCheckpoint), stopped.shutdownCheckpoint(), "the stop reports its checkpoint");
        assertTrue(
                oldRwShutdownCheckpoint >= rwPosition.replayed(),
                "the shutdown checkpoint is the last thing the RW wrote");
        for (Target ro : List.of(ro1, ro2)) {
            awaitTrue(
                    () -> client.walPosition(ro).replayed() > oldRwShutdownCheckpoint,
                    ro + " to replay past " + oldRwShutdownCheckpoint);
            WalPosition p = client.walPosition(ro);
            assertFalse(p.primary());
            assertEquals(1, p.timeline());
            assertNotNull(p.received());
            assertTrue(p.received() > oldRwShutdownCheckpoint);
        }
    }

    @Test
    @Order(3)
    void ro1IsPromotedAndRo2FollowsIt() throws Exception {
        assertEquals(2, client.promote(ro1).timeline());
        WalPosition promoted = client.walPosition(ro1);
        assertTrue(promoted.primary());
        assertEquals(2, promoted.timeline());
        assertTrue(promoted.replayed() > oldRwShutdownCheckpoint);
        client.createSlot(ro1, SlotType.REPLICA, "1003", "ro-2");
        client.createSlot(ro1, SlotType.REPLICA, "1001", "rw-0");

        assertEquals(
                "WRONG_ROLE",
                assertThrows(ManagerException.class, () -> client.follow(ro1, primary(ro1Port), "1002", "ro-1"))
                        .code());
        assertTrue(client.follow(ro2, primary(ro1Port), "1003", "ro-2"));
        assertFalse(client.follow(ro2, primary(ro1Port), "1003", "ro-2"), "it already follows RO1");

        sql(ro1Port, "insert into t values (1000, 'on the new primary')");
        awaitTrue(
                () -> "1".equals(query(ro2Port, "select count(*) from t where id = 1000")), "RO2 to replay RO1's row");
        awaitTrue(() -> client.walPosition(ro2).timeline() == 2, "RO2 to stream on timeline 2");
        assertEquals(
                "t", query(ro1Port, "select active from pg_replication_slots where slot_name = 'replica_1003_ro_2'"));
        assertEquals(Integer.toString(ro1Port), query(ro2Port, "select sender_port from pg_stat_wal_receiver"));
    }

    @Test
    @Order(4)
    void theOldRwRejoinsAsAReplicaOfRo1() throws Exception {
        assertFalse(
                client.rejoin(rw, primary(ro1Port), "1001", "rw-0"),
                "a clean stop after everything streamed needs no rewind");
        assertFalse(client.role(rw).primary());
        int pid = postmasterPid("rw");
        assertFalse(client.rejoin(rw, primary(ro1Port), "1001", "rw-0"));
        assertEquals(pid, postmasterPid("rw"), "a second rejoin leaves the running replica alone");

        sql(ro1Port, "insert into t values (1001, 'after the rejoin')");
        awaitTrue(
                () -> "1".equals(query(rwPort, "select count(*) from t where id = 1001")),
                "the old RW to replay RO1's row");
        assertEquals("t", query(rwPort, "select pg_is_in_recovery()"));
        assertEquals(2, client.walPosition(rw).timeline());
        assertTrue(Files.isSymbolicLink(scratch.resolve("rw/data/log")));
        assertFalse(Files.exists(scratch.resolve("rw/data/ins_lock")));
        assertFalse(Files.exists(scratch.resolve("rw/log/rejoin-saved")));
    }

    @Test
    @Order(5)
    void aFormerPrimaryThatWroteAfterTheForkIsRewound() throws Exception {
        // Split brain: the old RW is promoted again and takes writes RO1 never sees.
        assertEquals(3, client.promote(rw).timeline());
        sql(rwPort, "insert into t values (666, 'diverged')");
        sql(rwPort, "create table diverged_only (i int)");
        sql(ro1Port, "insert into t values (1002, 'on RO1 meanwhile')");
        // ... and then it dies as a failed RW does: kill -9, not shut down cleanly, which pg_rewind refuses by itself.
        ProcessHandle postmaster = ProcessHandle.of(postmasterPid("rw")).orElseThrow();
        postmaster.destroyForcibly();
        postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertTrue(client.rejoin(rw, primary(ro1Port), "1001", "rw-0"));
        assertEquals("t", query(rwPort, "select pg_is_in_recovery()"));
        assertEquals("0", query(rwPort, "select count(*) from t where id = 666"), "the diverged row is gone");
        assertEquals("0", query(rwPort, "select count(*) from pg_class where relname = 'diverged_only'"));
        assertEquals("1", query(rwPort, "select count(*) from t where id = 1002"));
        sql(ro1Port, "insert into t values (1003, 'after the rewind')");
        awaitTrue(
                () -> "1".equals(query(rwPort, "select count(*) from t where id = 1003")),
                "the rewound RW to stream from RO1");
        assertEquals(2, client.walPosition(rw).timeline());

        // The instance kept its own configuration, log link and no leftovers of the rewind.
        String conf = Files.readString(scratch.resolve("rw/data/postgresql.conf"));
        assertTrue(conf.contains("port = '" + rwPort + "'") || conf.contains("port = " + rwPort), conf);
        assertTrue(Files.isSymbolicLink(scratch.resolve("rw/data/log")));
        assertEquals(
                "done",
                Files.readString(scratch.resolve("rw/data/ins_install_step")).strip());
        assertFalse(Files.exists(scratch.resolve("rw/data/ins_lock")));
        assertFalse(Files.exists(scratch.resolve("rw/log/rejoin-saved")));
        String log = Files.readString(scratch.resolve("rw/log/manager.log"));
        assertFalse(log.contains(REPLICATOR_PASSWORD), "no password in the log");
        assertTrue(log.contains("pg_rewind"), "the rewind ran");
        assertTrue(log.contains("crash recovery in single-user mode"), "crash recovery before the rewind");
    }

    private int postmasterPid(String dir) throws IOException {
        return Integer.parseInt(Files.readAllLines(scratch.resolve(dir + "/data/postmaster.pid"))
                .get(0)
                .strip());
    }

    private static void sql(int port, String statement) throws SQLException {
        try (Connection c = tcp(port, "replicator", REPLICATOR_PASSWORD);
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static String query(int port, String select) throws SQLException {
        try (Connection c = tcp(port, "replicator", REPLICATOR_PASSWORD);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(select)) {
            rs.next();
            return rs.getString(1);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (SQLException e) {
                // The instance may still be starting or reconnecting.
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after 60 s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
