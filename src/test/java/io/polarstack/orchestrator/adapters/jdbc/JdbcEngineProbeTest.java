package io.polarstack.orchestrator.adapters.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ports.EngineProbe.Credentials;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** How driver failures map to outcomes; the live cases are in JdbcEngineProbeIT. */
class JdbcEngineProbeTest {

    static final Duration SECOND = Duration.ofSeconds(1);
    static final Duration QUICK = Duration.ofMillis(5);

    /** A 57P03 as the driver raises it from the server's ErrorResponse during login. */
    static PSQLException cannotConnectNow(String message) {
        return new PSQLException(new ServerErrorMessage("SFATAL\0VFATAL\0C57P03\0M" + message + "\0Fpostmaster.c\0"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "the database system is starting up",
                "the database system is in recovery mode",
                "the database system is not yet accepting connections",
                "the database system is not accepting connections"
            })
    void cannotConnectNowIsStartingUnlessShuttingDown(String message) {
        assertThat(JdbcEngineProbe.classify(cannotConnectNow(message), QUICK, SECOND))
                .isEqualTo(Outcome.STARTING);
        assertThat(JdbcEngineProbe.classify(
                        new SQLException("wrapped", "08001", cannotConnectNow(message)), QUICK, SECOND))
                .as("found in the cause chain")
                .isEqualTo(Outcome.STARTING);
    }

    @Test
    void shuttingDownOrShutDownCountsAsRefused() {
        assertThat(JdbcEngineProbe.classify(cannotConnectNow("the database system is shutting down"), QUICK, SECOND))
                .isEqualTo(Outcome.REFUSED);
        assertThat(JdbcEngineProbe.classify(
                        new SQLException("FATAL: the database system is shutting down", "57P03"), QUICK, SECOND))
                .as("without a server message, the driver's text tells")
                .isEqualTo(Outcome.REFUSED);
        assertThat(JdbcEngineProbe.classify(
                        new SQLException("terminating connection due to crash of another server process", "57P02"),
                        QUICK,
                        SECOND))
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
