package io.polarstack.orchestrator.adapters.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ports.EngineProbe.Credentials;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How driver failures map to outcomes; the live cases are in JdbcEngineProbeIT. */
class JdbcEngineProbeTest {

    static final Duration SECOND = Duration.ofSeconds(1);
    static final Duration QUICK = Duration.ofMillis(5);

    @Test
    void startingUpOrShuttingDownCountsAsRefused() {
        assertThat(JdbcEngineProbe.classify(
                        new SQLException("FATAL: the database system is starting up", "57P03"), QUICK, SECOND))
                .isEqualTo(Outcome.REFUSED);
        assertThat(JdbcEngineProbe.classify(
                        new SQLException("terminating connection due to administrator command", "57P01"),
                        QUICK,
                        SECOND))
                .isEqualTo(Outcome.REFUSED);
        assertThat(JdbcEngineProbe.classify(
                        new SQLException("Connection refused", "08001", new ConnectException("refused")),
                        QUICK,
                        SECOND))
                .isEqualTo(Outcome.REFUSED);
    }

    @Test
    void noAnswerInTimeIsATimeout() {
        assertThat(JdbcEngineProbe.classify(
                        new SQLException("I/O error", "08006", new SocketTimeoutException("Read timed out")),
                        QUICK,
                        SECOND))
                .isEqualTo(Outcome.TIMEOUT);
        assertThat(JdbcEngineProbe.classify(new SQLException("Connection attempt timed out.", "08001"), SECOND, SECOND))
                .isEqualTo(Outcome.TIMEOUT);
    }

    @Test
    void aRefusedLoginIsDeniedAndItsDetailCarriesNoPassword() {
        var failure = new SQLException("FATAL: password authentication failed for \"s3cret\"", "28P01");
        assertThat(JdbcEngineProbe.classify(failure, QUICK, SECOND)).isEqualTo(Outcome.DENIED);
        assertThat(JdbcEngineProbe.classify(new SQLException("relation does not exist", "42P01"), QUICK, SECOND))
                .isEqualTo(Outcome.ERROR);
        assertThat(JdbcEngineProbe.detail(failure, new Credentials("aurora", "s3cret")))
                .isEqualTo("[28P01] FATAL: password authentication failed for \"***\"");
        assertThat(new Credentials("aurora", "s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void theDetailIsTheDriversFirstSentence() {
        var refused = new SQLException(
                "Connection to 127.0.0.1:5432 refused. Check that the hostname and port are correct "
                        + "and that the postmaster is accepting TCP/IP connections.",
                "08001");
        assertThat(JdbcEngineProbe.detail(refused, new Credentials("aurora", "x")))
                .isEqualTo("[08001] Connection to 127.0.0.1:5432 refused.");
    }
}
