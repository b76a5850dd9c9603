package io.polarstack.orchestrator.adapters.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.EngineProbe.Credentials;
import io.polarstack.orchestrator.ports.EngineProbe.Endpoint;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import io.polarstack.orchestrator.ports.EngineProbe.Result;
import io.polarstack.orchestrator.testing.Await;
import io.polarstack.orchestrator.testing.ScratchPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** The probe against a real PostgreSQL 15: answers, connection reuse, a stopped server, a silent one, a bad password. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JdbcEngineProbeIT {

    static final String PASSWORD = "probe-" + Long.toHexString(System.nanoTime());
    /** Generous: a first connection (SCRAM, a cold JVM) on a loaded machine can take over a second. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    ScratchPostgres pg;
    Endpoint endpoint;
    final Credentials aurora = new Credentials("aurora", PASSWORD);
    final JdbcEngineProbe probe = new JdbcEngineProbe();

    @BeforeAll
    void startPostgres() throws Exception {
        pg = ScratchPostgres.start("aurora", PASSWORD);
        endpoint = new Endpoint("127.0.0.1", pg.port());
    }

    @AfterAll
    void stopPostgres() {
        probe.close();
        if (pg != null) {
            pg.close();
        }
    }

    /** Backend pids of the probe's sessions, as the server sees them. */
    List<Integer> probeSessions() throws Exception {
        return sessions(JdbcEngineProbe.APPLICATION_NAME);
    }

    List<Integer> sessions(String applicationName) throws Exception {
        try (Connection admin = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "aurora", PASSWORD);
                PreparedStatement query =
                        admin.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            query.setString(1, applicationName);
            List<Integer> pids = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    pids.add(rows.getInt(1));
                }
            }
            return pids;
        }
    }

    @Test
    @Order(1)
    void aRunningPrimaryAnswersOnOneReusedConnection() throws Exception {
        Result first = probe.probe(endpoint, aurora, TIMEOUT);
        assertThat(first.outcome()).isEqualTo(Outcome.OK);
        assertThat(first.latency()).isPositive().isLessThan(TIMEOUT);
        assertThat(first.inRecovery()).isFalse();
        assertThat(first.detail()).isEmpty();
        assertThat(first.wal().replayed()).as("a primary's write position").isPositive();
        assertThat(first.wal().received()).as("a primary receives nothing").isNull();
        assertThat(first.wal().timeline())
                .as("a new primary writes on its first timeline")
                .isEqualTo(1);
        List<Integer> sessions = probeSessions();
        assertThat(sessions).hasSize(1);

        for (int i = 0; i < 5; i++) {
            assertThat(probe.probe(endpoint, aurora, TIMEOUT).outcome()).isEqualTo(Outcome.OK);
        }
        assertThat(probeSessions()).as("the same backend serves every probe").isEqualTo(sessions);
    }

    @Test
    @Order(2)
    void synchronousStandbyNamesAreSetOnTheKeptConnectionAndReadBackByTheProbe() throws Exception {
        assertThat(probe.probe(endpoint, aurora, TIMEOUT).replication())
                .isEqualTo(new EngineProbe.Replication("", List.of()));
        String quorum = "ANY 1 (\"replica_s1004_1004\", \"replica_s1006_1006\")";
        probe.setSynchronousStandbyNames(endpoint, aurora, quorum, TIMEOUT);
        Await.await(
                Duration.ofSeconds(10),
                () -> "the reloaded setting",
                () -> quorum.equals(
                        probe.probe(endpoint, aurora, TIMEOUT).replication().synchronousStandbyNames()));
        assertThatThrownBy(() -> probe.setSynchronousStandbyNames(endpoint, aurora, "'; DROP TABLE x; --", TIMEOUT))
                .as("only a value the orchestrator builds goes into ALTER SYSTEM")
                .isInstanceOf(IllegalArgumentException.class);
        probe.setSynchronousStandbyNames(endpoint, aurora, "", TIMEOUT);
        Await.await(
                Duration.ofSeconds(10),
                () -> "the setting cleared",
                () -> probe.probe(endpoint, aurora, TIMEOUT)
                        .replication()
                        .synchronousStandbyNames()
                        .isEmpty());
        assertThat(probeSessions()).as("still the one kept session").hasSize(1);
    }

    @Test
    @Order(3)
    void aStoppedServerIsRefusedAndAStartedOneAnswersAgain() throws Exception {
        assertThat(probe.probe(endpoint, aurora, TIMEOUT).outcome()).isEqualTo(Outcome.OK);
        pg.stopServer();
        Result down = probe.probe(endpoint, aurora, TIMEOUT);
        assertThat(down.outcome())
                .as("the kept connection is stale; a fresh one is refused: %s", down)
                .isEqualTo(Outcome.REFUSED);
        assertThat(down.latency()).isLessThan(TIMEOUT);
        assertThat(probe.probe(endpoint, aurora, TIMEOUT).outcome()).isEqualTo(Outcome.REFUSED);

        pg.startServer();
        Result up = probe.probe(endpoint, aurora, TIMEOUT);
        assertThat(up.outcome()).as("%s", up).isEqualTo(Outcome.OK);
        assertThat(probeSessions()).hasSize(1);
    }

    @Test
    @Order(4)
    void aServerThatAcceptsButNeverAnswersTimesOut() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // and never answer
                    }
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Endpoint hung = new Endpoint("127.0.0.1", silent.getLocalPort());
            Duration timeout = Duration.ofMillis(800);
            Result result = probe.probe(hung, aurora, timeout);
            assertThat(result.outcome()).as("%s", result).isEqualTo(Outcome.TIMEOUT);
            assertThat(result.latency())
                    .isGreaterThanOrEqualTo(timeout.minusMillis(50))
                    .as("the probe gave up on its own timeout, not hung")
                    .isLessThan(timeout.plusSeconds(5));
            assertThat(accepted).as("the probe did connect").isNotEmpty();
            probe.release(hung);
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    @Order(5)
    void aWrongPasswordIsDeniedAndDoesNotShowThePassword() {
        String wrong = "wrong-" + Long.toHexString(System.nanoTime());
        Result result = probe.probe(endpoint, new Credentials("aurora", wrong), TIMEOUT);
        assertThat(result.outcome()).as("%s", result).isEqualTo(Outcome.DENIED);
        assertThat(result.detail()).contains("28P01").doesNotContain(wrong).doesNotContain(PASSWORD);
        assertThat(result.toString()).doesNotContain(wrong);
        assertThat(probe.probe(endpoint, aurora, TIMEOUT).outcome())
                .as("the right password works again")
                .isEqualTo(Outcome.OK);
    }

    @Test
    @Order(6)
    void anImpossibleHostIsAnErrorWithoutConnecting() {
        Result result = probe.probe(new Endpoint("127.0.0.1/postgres?socketFactory=x", pg.port()), aurora, TIMEOUT);
        assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    }

    @Test
    @Order(7)
    void theUsageQueryKeepsASessionOfItsOwnWhileTheEndpointIsProbedAndReleaseClosesBoth() throws Exception {
        assertThat(probe.probe(endpoint, aurora, TIMEOUT).outcome()).isEqualTo(Outcome.OK);
        assertThat(probe.dataBytes(endpoint, aurora, TIMEOUT)).isPositive();
        List<Integer> usage = sessions(JdbcEngineProbe.USAGE_APPLICATION_NAME);
        assertThat(usage).hasSize(1);
        assertThat(probe.dataBytes(endpoint, aurora, TIMEOUT)).isPositive();
        assertThat(sessions(JdbcEngineProbe.USAGE_APPLICATION_NAME))
                .as("the same backend measures again")
                .isEqualTo(usage);
        assertThat(probeSessions())
                .as("the probe's own, not used by the usage query")
                .hasSize(1);

        probe.release(endpoint);
        assertThat(probe.dataBytes(endpoint, aurora, TIMEOUT))
                .as("an endpoint no longer probed is measured on a connection closed at once")
                .isPositive();
        Await.await(Duration.ofSeconds(10), () -> "no session left", () -> {
            try {
                return sessions(JdbcEngineProbe.USAGE_APPLICATION_NAME).isEmpty()
                        && probeSessions().isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @Order(8)
    void aStandbyIsPromotedBySqlWithItsQuorumSetOnTheKeptSession() throws Exception {
        pg.restartAsStandby();
        Result standby = probe.probe(endpoint, aurora, TIMEOUT);
        assertThat(standby.inRecovery()).as("%s", standby).isTrue();
        List<Integer> kept = probeSessions();
        assertThatThrownBy(() -> probe.promote(endpoint, aurora, "'; DROP TABLE x; --", TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
        Endpoint nobody = new Endpoint("127.0.0.1", ScratchPostgres.freePort());
        assertThatThrownBy(() -> probe.promote(nobody, aurora, null, TIMEOUT))
                .as("nothing listens there: nothing was sent")
                .isInstanceOf(EngineProbe.Unreachable.class);
        assertThat(probe.probe(endpoint, aurora, TIMEOUT).inRecovery())
                .as("refused input changes nothing")
                .isTrue();

        String quorum = "ANY 1 (\"replica_1_2\")";
        assertThat(probe.promote(endpoint, aurora, quorum, TIMEOUT)).isEqualTo(EngineProbe.Promotion.PROMOTED);
        assertThat(probeSessions()).as("the promotion ran on the kept session").isEqualTo(kept);
        Result primary = probe.probe(endpoint, aurora, TIMEOUT);
        assertThat(primary.inRecovery()).as("%s", primary).isFalse();
        assertThat(primary.wal().timeline())
                .as("a promotion starts a new timeline")
                .isEqualTo(2);
        Await.await(
                Duration.ofSeconds(10),
                () -> "the quorum set before the promotion",
                () -> quorum.equals(
                        probe.probe(endpoint, aurora, TIMEOUT).replication().synchronousStandbyNames()));
        assertThat(probe.promote(endpoint, aurora, null, TIMEOUT))
                .as("a retry finds the primary")
                .isEqualTo(EngineProbe.Promotion.ALREADY_PRIMARY);
        probe.setSynchronousStandbyNames(endpoint, aurora, "", TIMEOUT); // no RO here to wait for
    }
}
