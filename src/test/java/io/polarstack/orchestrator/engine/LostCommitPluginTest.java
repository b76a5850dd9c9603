package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.junit.jupiter.api.Test;

/** Which failures count as the engine database going away (the step's lock is then given back once it returns). */
class LostCommitPluginTest {

    static ProcessEngineException wrapped(Throwable cause) {
        return new ProcessEngineException(
                "An exception occurred in the persistence layer", new RuntimeException(cause));
    }

    @Test
    void aBrokenConnectionAServerShutdownAndAPoolTimeoutCount() {
        assertThat(LostCommitPlugin.connectionLost(wrapped(new SQLException("I/O error", "08006"))))
                .isTrue();
        assertThat(LostCommitPlugin.connectionLost(
                        wrapped(new SQLException("terminating connection due to administrator command", "57P01"))))
                .isTrue();
        assertThat(LostCommitPlugin.connectionLost(
                        wrapped(new SQLTransientConnectionException("Connection is not available"))))
                .isTrue();
        // What the job executor sees when the rollback after the lost session fails too.
        assertThat(LostCommitPlugin.connectionLost(
                        wrapped(new org.springframework.transaction.TransactionSystemException(
                                "JDBC rollback failed", new SQLException("Connection is closed")))))
                .isTrue();
    }

    @Test
    void aStepsOwnFailureDoesNot() {
        assertThat(LostCommitPlugin.connectionLost(wrapped(new SQLException("duplicate key", "23505"))))
                .isFalse();
        assertThat(LostCommitPlugin.connectionLost(new IllegalStateException("pod not found")))
                .isFalse();
    }
}
