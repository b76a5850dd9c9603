package io.polarstack.orchestrator.adapters.manager;

import static io.polarstack.orchestrator.adapters.manager.LocalPostgres.BIN;
import static io.polarstack.orchestrator.adapters.manager.LocalPostgres.asPostgres;
import static io.polarstack.orchestrator.adapters.manager.LocalPostgres.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.Primary;
import io.polarstack.orchestrator.ports.ManagerClient.SlotType;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import io.polarstack.orchestrator.ports.PodExec;
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
 * The manager agent of the built jar, driven through {@link JsonManagerClient} and {@link LocalPodExec} against
 * this machine's PostgreSQL 15, run as the postgres user in scratch directories: a RW, a RO streaming from it through
 * its slot, and a replica stuck before consistency for the "starting" state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagerAgentIT {

    private static final String REPLICATOR_PASSWORD = "rep'l;\"pass\\word";
    /** Quotes, semicolons, a newline, command substitution and backticks: all must be stored literally or refused. */
    private static final String NASTY = "a'b\";c\n$(touch %1$s/pwned-1)`touch %1$s/pwned-2`; drop table t; --";

    private final ObjectMapper json = new ObjectMapper();
    private Path scratch;
    private Path canary;
    private int rwPort;
    private int roPort;
    private Target rw;
    private Target ro;
    private Path stuckData;
    private JsonManagerClient client;

    @BeforeAll
    void setUp() throws IOException {
        scratch = LocalPostgres.scratch("polarstack-agent-it");
        canary = scratch;
        rwPort = LocalPostgres.freePort();
        roPort = LocalPostgres.freePort();
        rw = target("rw-0", "rw");
        ro = target("ro-1", "ro");
        client = LocalPostgres.agentClient();
    }

    private Target target(String pod, String dir) {
        return LocalPostgres.target(scratch, pod, dir);
    }

    @AfterAll
    void tearDown() throws IOException {
        for (String dir : List.of("rw", "ro", "stuck")) {
            LocalPostgres.stopQuietly(scratch.resolve(dir + "/data"));
        }
        LocalPostgres.run(List.of("rm", "-rf", scratch.toString()), Map.of());
    }

    private InstallSpec loopback(InstallSpec spec) {
        // wal_keep_size: the RW keeps the WAL from before the fork, so a rewind fails only for the reason tested (order
        // 11).
        return spec.withNetwork("127.0.0.1", List.of("127.0.0.1/32"))
                .withParams(Map.of("fsync", "off", "shared_buffers", "16MB", "wal_keep_size", "128MB"));
    }

    @Test
    @Order(1)
    void installsAndStartsTheRw() throws Exception {
        ManagerClient.InstallResult first = client.install(rw, loopback(InstallSpec.rw(rwPort)));
        assertFalse(first.skipped());
        assertFalse(first.reusedDataDir());
        assertTrue(client.install(rw, loopback(InstallSpec.rw(rwPort))).skipped(), "a finished install is left alone");

        assertEquals(HealthState.STOPPED, client.health(rw).state());
        assertFalse(client.start(rw));
        assertTrue(client.start(rw), "start is idempotent");
        assertEquals(HealthState.RUNNING, client.health(rw).state());
        ManagerClient.RoleInfo role = client.role(rw);
        assertTrue(role.primary());
        assertEquals(1, role.timeline());
        assertNull(role.replayLagBytes());

        assertTrue(client.growStorage(rw, null).totalBytes() > 0);
        // The rootfs pg helper finds the port in postgresql.conf and connects as the superuser.
        String out = asPostgres(
                List.of(
                        Path.of("rootfs/usr/local/bin/pg").toAbsolutePath().toString(),
                        "-Atc",
                        "select current_setting('port') || ' ' || system_identifier from pg_control_system()"),
                Map.of(
                        "POLARSTACK_DATA_DIR",
                        scratch.resolve("rw/data").toString(),
                        "POLARSTACK_PG_BIN",
                        BIN.toString()));
        assertEquals(rwPort + " " + client.systemIdentifier(rw), out.strip());
    }

    @Test
    @Order(2)
    void createsAccountsOnceAndAltersThemAfter() throws Exception {
        assertTrue(client.createAccount(rw, "replicator", REPLICATOR_PASSWORD, 15));
        assertFalse(client.createAccount(rw, "replicator", REPLICATOR_PASSWORD, 15), "the second call alters the role");
        assertTrue(client.createAccount(rw, "app", "app-secret", 1));
        try (Connection c = tcp(rwPort, "replicator", REPLICATOR_PASSWORD);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select rolsuper, rolreplication, array_to_string(rolconfig, ',') from pg_roles "
                                + "where rolname = 'replicator'")) {
            rs.next();
            assertTrue(rs.getBoolean(1));
            assertTrue(rs.getBoolean(2));
            assertTrue(rs.getString(3).contains("TimeZone=UTC"), rs.getString(3));
            st.execute("create table t (id int)");
            st.execute("grant select, insert on t to app");
        }
        try (Connection c = tcp(rwPort, "app", "app-secret");
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("select rolsuper, rolcreatedb from pg_roles where rolname = current_user")) {
            rs.next();
            assertFalse(rs.getBoolean(1));
            assertTrue(rs.getBoolean(2));
        }
        // The new password takes effect on the existing role.
        assertFalse(client.createAccount(rw, "app", "app-secret-2", 1));
        assertThrows(SQLException.class, () -> tcp(rwPort, "app", "app-secret").close());
        tcp(rwPort, "app", "app-secret-2").close();
    }

    @Test
    @Order(3)
    void installsARoThatStreamsThroughItsSlot() throws Exception {
        String slot = client.createSlot(rw, SlotType.REPLICA, "1002", "ro-1");
        assertEquals("replica_1002_ro_1", slot);
        assertEquals(slot, client.createSlot(rw, SlotType.REPLICA, "1002", "ro-1"));

        Primary primary = new Primary("127.0.0.1", rwPort, "replicator", REPLICATOR_PASSWORD);
        ManagerClient.InstallResult installed = client.install(
                ro, loopback(InstallSpec.ro(roPort, primary, "1002", "ro-1")).withLockInstall(true));
        assertEquals(slot, installed.primarySlotName());
        assertTrue(installed.locked(), "lockInstall keeps the RO behind the stop lock");
        assertTrue(client.health(ro).locked());
        assertFalse(client.start(ro));
        assertFalse(Files.exists(scratch.resolve("ro/data/ins_lock")));

        ManagerClient.RoleInfo role = client.role(ro);
        assertFalse(role.primary());
        assertEquals(1, role.timeline());
        try (Connection c = superuser(rwPort);
                Statement st = c.createStatement()) {
            st.execute("insert into t values (42)");
            awaitTrue(
                    () -> {
                        try (ResultSet rs = st.executeQuery(
                                "select active, (select application_name from pg_stat_replication limit 1) "
                                        + "from pg_replication_slots where slot_name = '" + slot + "'")) {
                            return rs.next() && rs.getBoolean(1) && slot.equals(rs.getString(2));
                        }
                    },
                    "the RO to stream through slot " + slot);
        }
        try (Connection c = superuser(roPort);
                Statement st = c.createStatement()) {
            awaitTrue(
                    () -> {
                        try (ResultSet rs = st.executeQuery("select count(*) from t where id = 42")) {
                            return rs.next() && rs.getInt(1) == 1;
                        }
                    },
                    "the row to reach the RO");
        }
    }

    @Test
    @Order(4)
    void updatesParamsByReloadAndReportsPendingRestarts() throws Exception {
        Path conf = scratch.resolve("rw/data/postgresql.conf");
        List<String> before = Files.readAllLines(conf);
        ManagerClient.ParamsResult reload = client.updateParams(rw, Map.of("work_mem", "8MB"));
        assertTrue(reload.reloaded());
        assertEquals(List.of(), reload.pendingRestart());
        try (Connection c = superuser(rwPort);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("show work_mem")) {
            rs.next();
            assertEquals("8MB", rs.getString(1));
        }
        assertEquals(
                List.of("shared_buffers"),
                client.updateParams(rw, Map.of("shared_buffers", "32MB")).pendingRestart());
        List<String> after = Files.readAllLines(conf);
        assertEquals(
                before.size() + 1, after.size(), "one new line (work_mem), the existing shared_buffers line rewritten");
        assertTrue(
                after.containsAll(before.stream()
                        .filter(l -> !l.startsWith("shared_buffers"))
                        .toList()),
                "every other line kept");

        ManagerException rejected =
                assertThrows(ManagerException.class, () -> client.updateParams(rw, Map.of("work_mem", "lots")));
        assertEquals("INVALID_ARGUMENT", rejected.code());
        assertTrue(rejected.getMessage().contains("work_mem"), rejected.getMessage());
        assertEquals(after, Files.readAllLines(conf), "a rejected value leaves the file as it was");
        assertEquals(
                "INVALID_ARGUMENT",
                assertThrows(ManagerException.class, () -> client.updateParams(rw, Map.of("port", "1")))
                        .code());
        // Off the allow list: a shell command as postgres, a library, an include; refused together with a good one.
        ManagerException refused = assertThrows(
                ManagerException.class,
                () -> client.updateParams(
                        rw,
                        Map.of(
                                "work_mem", "16MB",
                                "archive_command", "touch " + canary + "/pwned-archive",
                                "shared_preload_libraries", "pg_stat_statements",
                                "include_dir", "/tmp")));
        assertEquals("INVALID_ARGUMENT", refused.code());
        assertTrue(
                refused.getMessage().contains("archive_command, include_dir, shared_preload_libraries")
                        && refused.getMessage().contains("Engine parameters"),
                refused.getMessage());
        assertEquals(after, Files.readAllLines(conf), "a refused request changes nothing, not even its good part");
        client.restart(rw);
        assertEquals(
                List.of(),
                client.updateParams(rw, Map.of("shared_buffers", "32MB")).pendingRestart());
    }

    @Test
    @Order(5)
    void diskFullLockLeavesOnlySuperusersWriting() throws Exception {
        try (Connection app = tcp(rwPort, "app", "app-secret-2")) {
            client.lockDiskFull(rw);
            assertThrows(
                    SQLException.class,
                    () -> app.createStatement().execute("select 1"),
                    "the lock ends ordinary sessions");
        }
        try (Connection app = tcp(rwPort, "app", "app-secret-2");
                Statement st = app.createStatement()) {
            SQLException refused = assertThrows(SQLException.class, () -> st.execute("insert into t values (1)"));
            assertEquals("25006", refused.getSQLState(), refused.getMessage());
            st.executeQuery("select count(*) from t").close();
        }
        try (Connection su = tcp(rwPort, "replicator", REPLICATOR_PASSWORD);
                Statement st = su.createStatement()) {
            st.execute("insert into t values (2)");
        }
        assertTrue(client.createAccount(rw, "late", "late-secret", 1));
        try (Connection late = tcp(rwPort, "late", "late-secret");
                Statement st = late.createStatement()) {
            assertEquals(
                    "25006",
                    assertThrows(SQLException.class, () -> st.execute("create table late_t (i int)"))
                            .getSQLState(),
                    "an account created during the lock is locked too");
        }
        client.unlockDiskFull(rw);
        client.unlockDiskFull(rw);
        try (Connection app = tcp(rwPort, "app", "app-secret-2");
                Statement st = app.createStatement()) {
            st.execute("insert into t values (3)");
        }
    }

    @Test
    @Order(6)
    void stopStartAndRestartHonourTheLockFile() throws Exception {
        ManagerClient.StopResult stopped = client.stop(ro, ManagerClient.StopMode.FAST, 30);
        assertFalse(stopped.alreadyStopped());
        assertTrue(Files.exists(scratch.resolve("ro/data/ins_lock")));
        assertTrue(client.stop(ro, ManagerClient.StopMode.FAST, 30).alreadyStopped());
        ManagerClient.Health health = client.health(ro);
        assertEquals(HealthState.STOPPED, health.state());
        assertTrue(health.locked());
        ManagerException locked = assertThrows(ManagerException.class, () -> client.restart(ro));
        assertEquals("INSTANCE_LOCKED", locked.code());
        assertEquals(HealthState.STOPPED, client.health(ro).state(), "a refused restart starts nothing");
        assertFalse(client.start(ro));
        assertEquals(HealthState.RUNNING, client.health(ro).state());
        int pidBefore = postmasterPid("ro");
        client.restart(ro);
        assertTrue(postmasterPid("ro") != pidBefore, "restart runs a new postmaster");
        assertEquals(HealthState.RUNNING, client.health(ro).state());
    }

    @Test
    @Order(7)
    void expiryLockKeepsTheInstanceDown() {
        client.lockExpiry(ro);
        assertEquals(HealthState.STOPPED, client.health(ro).state());
        assertEquals(
                "INSTANCE_LOCKED",
                assertThrows(ManagerException.class, () -> client.restart(ro)).code());
        assertEquals(HealthState.STOPPED, client.health(ro).state());
        client.unlockExpiry(ro);
        assertEquals(HealthState.RUNNING, client.health(ro).state());
    }

    @Test
    @Order(8)
    void healthTellsStartingFromStoppedAndStartTimesOut() throws Exception {
        // A replica from a backup without WAL, whose primary_conninfo leads nowhere, never reaches consistency.
        stuckData = scratch.resolve("stuck/data");
        int stuckPort = LocalPostgres.freePort();
        asPostgres(List.of("mkdir", "-p", scratch.resolve("stuck/log").toString()), Map.of());
        asPostgres(
                List.of(
                        BIN.resolve("pg_basebackup").toString(),
                        "-D",
                        stuckData.toString(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(rwPort),
                        "-U",
                        "replicator",
                        "-X",
                        "none",
                        "-c",
                        "fast",
                        "--no-manifest"),
                Map.of("PGPASSWORD", REPLICATOR_PASSWORD));
        Files.writeString(
                stuckData.resolve("postgresql.conf"),
                String.format(
                        "port = %d%nunix_socket_directories = '%s'%n"
                                + "listen_addresses = ''%nprimary_conninfo = 'host=127.0.0.1 port=%d'%n",
                        stuckPort, stuckData, LocalPostgres.freePort()),
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(stuckData.resolve("standby.signal"), "");
        Files.deleteIfExists(stuckData.resolve("ins_install_step"));
        Target stuck = target("stuck-0", "stuck");
        assertEquals(HealthState.STOPPED, client.health(stuck).state());
        asPostgres(
                List.of(
                        BIN.resolve("pg_ctl").toString(),
                        "start",
                        "-D",
                        stuckData.toString(),
                        "-l",
                        scratch.resolve("stuck/log/start.log").toString(),
                        "-W"),
                Map.of());
        awaitTrue(() -> Files.exists(stuckData.resolve(".s.PGSQL." + stuckPort)), "the stuck replica's socket");
        assertEquals(HealthState.STARTING, client.health(stuck).state());

        JsonNode timeout = raw("start", stuck, Map.of("timeoutSeconds", 2));
        assertEquals("TIMEOUT", timeout.path("error").path("code").asText(), timeout.toString());
        assertEquals(HealthState.STARTING, client.health(stuck).state());
    }

    @Test
    @Order(9)
    void promotesTheReplica() throws Exception {
        ManagerClient.RoleInfo promoted = client.promote(ro);
        assertTrue(promoted.primary());
        assertEquals(2, promoted.timeline());
        assertEquals(2, client.promote(ro).timeline(), "promoting a primary changes nothing");
        try (Connection c = superuser(roPort);
                Statement st = c.createStatement()) {
            st.execute("insert into t values (4)");
        }
        client.removeSlot(rw, SlotType.REPLICA, "1002", "ro-1");
        client.removeSlot(rw, SlotType.REPLICA, "1002", "ro-1");
        try (Connection c = superuser(rwPort);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from pg_replication_slots")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    @Order(10)
    void hostileValuesAreRefusedOrStoredLiterally() throws Exception {
        String nasty = String.format(NASTY, canary);
        for (String user : List.of("x\"; drop table t; --", "$(touch " + canary + "/pwned-3)", "`id`", "a'b", "a\nb")) {
            assertEquals(
                    "INVALID_ARGUMENT",
                    assertThrows(ManagerException.class, () -> client.createAccount(rw, user, "pw", 1))
                            .code(),
                    user);
        }
        assertTrue(client.createAccount(rw, "nasty", nasty, 1));
        tcp(rwPort, "nasty", nasty).close();

        client.updateParams(rw, Map.of("log_line_prefix", nasty));
        try (Connection c = superuser(rwPort);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("show log_line_prefix")) {
            rs.next();
            assertEquals(nasty, rs.getString(1), "the value is stored literally");
        }
        assertEquals(
                "INVALID_ARGUMENT",
                assertThrows(
                                ManagerException.class,
                                () -> client.updateParams(rw, Map.of("work_mem = 1\nshared_buffers", "1")))
                        .code());
        assertEquals(
                "INVALID_ARGUMENT",
                assertThrows(
                                ManagerException.class,
                                () -> client.updateParams(rw, Map.of("work_mem';select 1;--", "1")))
                        .code());

        for (String name :
                List.of("ro'; drop table t; --", "$(touch " + canary + "/pwned-4)", "`id`", "a;b", "x\ny", "Upper")) {
            assertEquals(
                    "INVALID_ARGUMENT",
                    assertThrows(ManagerException.class, () -> client.createSlot(rw, SlotType.REPLICA, "1002", name))
                            .code(),
                    name);
        }
        Primary badHost = new Primary("127.0.0.1; touch " + canary + "/pwned-5", rwPort, "replicator", "x");
        assertEquals(
                "INVALID_ARGUMENT",
                assertThrows(
                                ManagerException.class,
                                () -> client.install(
                                        target("bad-0", "bad"),
                                        InstallSpec.ro(LocalPostgres.freePort(), badHost, "1", "x")))
                        .code());
        JsonNode badDir = raw("health", rw, Map.of("dataDir", "/tmp/x\n$(touch " + canary + "/pwned-6)"));
        assertEquals("INVALID_ARGUMENT", badDir.path("error").path("code").asText());

        try (var files = Files.list(canary)) {
            assertEquals(
                    List.of(),
                    files.filter(p -> p.getFileName().toString().startsWith("pwned"))
                            .toList(),
                    "nothing ran");
        }
        try (Connection c = superuser(rwPort);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from t")) {
            assertTrue(rs.next(), "table t is still there");
        }
        String log = Files.readString(scratch.resolve("rw/log/manager.log"));
        assertFalse(
                log.contains(REPLICATOR_PASSWORD) || log.contains("app-secret") || log.contains("late-secret"),
                "no password is logged");
        assertTrue(log.lines().allMatch(l -> l.contains("[request_id=")), "every line carries the request id");
    }

    @Test
    @Order(11)
    void aRewindThatCannotWorkLeavesTheOldRwAsItWas() throws Exception {
        // The RW kept writing after the RO's promotion, so it needs a rewind; but here the sockets live in the data
        // directories (the default), and pg_rewind cannot copy the source's. The dry run finds that out first.
        ManagerException failed = assertThrows(
                ManagerException.class,
                () -> client.rejoin(
                        rw, new Primary("127.0.0.1", roPort, "replicator", REPLICATOR_PASSWORD), "1001", "rw-0"));
        assertEquals("REWIND_FAILED", failed.code());
        assertTrue(
                failed.getMessage().contains("socket") && failed.getMessage().contains("not changed"),
                failed.getMessage());
        ManagerClient.Health health = client.health(rw);
        assertEquals(HealthState.STOPPED, health.state());
        assertTrue(health.locked(), "it stays down under the stop lock");
        assertTrue(Files.isSymbolicLink(scratch.resolve("rw/data/log")));

        assertFalse(client.start(rw));
        assertTrue(client.role(rw).primary());
        try (Connection c = superuser(rwPort);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from pg_roles where rolname = 'nasty'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "what it wrote after the fork is still there");
        }
        assertFalse(Files.readString(scratch.resolve("rw/log/manager.log")).contains(REPLICATOR_PASSWORD));
    }

    /** A raw agent call with extra request fields, for what the typed client does not send. */
    private JsonNode raw(String action, Target target, Map<String, Object> extra) throws IOException {
        ObjectNode request = json.createObjectNode();
        request.put("flavour", "postgresql");
        request.put("dataDir", target.layout().dataDir());
        request.put("logDir", target.layout().logDir());
        request.put("binDir", target.layout().binDir());
        extra.forEach((k, v) -> request.set(k, json.valueToTree(v)));
        Path jar = Path.of("target/orchestrator.jar").toAbsolutePath();
        PodExec.Result r = LocalPodExec.asUser("postgres")
                .exec(
                        new PodExec.Target("local", target.pod(), "manager"),
                        List.of("java", "-jar", jar.toString(), "manager-agent", action),
                        json.writeValueAsBytes(request),
                        Duration.ofSeconds(60));
        JsonNode answer = json.readTree(r.stdout());
        assertEquals(answer.path("ok").asBoolean(), r.exitCode() == 0, "exit 0 exactly when ok: " + r);
        return answer;
    }

    private int postmasterPid(String dir) throws IOException {
        return Integer.parseInt(Files.readAllLines(scratch.resolve(dir + "/data/postmaster.pid"))
                .get(0)
                .strip());
    }

    private static Connection superuser(int port) throws SQLException {
        return tcp(port, "replicator", REPLICATOR_PASSWORD);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
