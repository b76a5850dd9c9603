package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Date;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;

/**
 * Which failures count as the engine database going away (the step's lock is then given back once it returns), and
 * that a step failing on a connection of its own keeps the retry wait the engine recorded.
 */
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

    @Test
    void aStepThatCannotReachAnInstanceKeepsItsRetryWait() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closed + "/postgres?connectTimeout=2";
        // A real 08001 from a managed instance's address, while the engine database answers.
        JavaDelegate connect =
                execution -> DriverManager.getConnection(url, "probe", "none").close();
        var configuration = (ProcessEngineConfigurationImpl)
                ProcessEngineConfiguration.createStandaloneInMemProcessEngineConfiguration();
        configuration.setProcessEngineName("lost-commit-own-failure");
        configuration.setJdbcUrl("jdbc:h2:mem:lost-commit-own-failure;DB_CLOSE_DELAY=-1");
        configuration.setBeans(Map.of("connect", connect));
        configuration.setJobExecutorActivate(false);
        LostCommitPlugin plugin = new LostCommitPlugin();
        configuration.getProcessEnginePlugins().add(plugin);
        ProcessEngine engine = configuration.buildProcessEngine();
        try {
            engine.getRepositoryService()
                    .createDeployment()
                    .addModelInstance(
                            "connect.bpmn",
                            Bpmn.createExecutableProcess("Connect")
                                    .camundaHistoryTimeToLive(1)
                                    .startEvent()
                                    .serviceTask("Task_Connect")
                                    .camundaAsyncBefore()
                                    .camundaFailedJobRetryTimeCycle("R3/PT1M")
                                    .camundaDelegateExpression("${connect}")
                                    .endEvent()
                                    .done())
                    .deploy();
            String instance = engine.getRuntimeService()
                    .startProcessInstanceByKey("Connect")
                    .getId();
            var jobs = engine.getManagementService().createJobQuery().processInstanceId(instance);
            String job = jobs.singleResult().getId();

            assertThatThrownBy(() -> engine.getManagementService().executeJob(job))
                    .hasStackTraceContaining("127.0.0.1:" + closed);

            Job failed = jobs.singleResult();
            assertThat(failed.getRetries()).isEqualTo(2);
            assertThat(failed.getDuedate())
                    .as("Task_Connect waits out its PT1M retry interval")
                    .isAfter(new Date(System.currentTimeMillis() + 50_000));
            assertThat(plugin.awaitingRelease(job))
                    .as("the engine recorded the failure: no lost commit to give back")
                    .isFalse();
        } finally {
            engine.close();
        }
    }
}
