package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.testing.AppTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.AcquireJobsCmd;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas lock a step each on one engine database (an H2 file) and die without running it. Replica 1 starts
 * again: its own lock is released before its job executor starts, so its step runs at once; replica 2's lock stays.
 */
class JobLockOwnerPluginTest {

    @TempDir
    Path dir;

    ProcessEngine engine(String name, String owner) {
        var configuration = (ProcessEngineConfigurationImpl)
                ProcessEngineConfiguration.createStandaloneProcessEngineConfiguration();
        configuration.setProcessEngineName(name);
        configuration.setJdbcUrl("jdbc:h2:file:" + dir.resolve("engine") + ";DB_CLOSE_ON_EXIT=FALSE");
        configuration.setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_TRUE);
        configuration.setJobExecutorActivate(false);
        configuration.getProcessEnginePlugins().add(new JobLockOwnerPlugin(owner));
        return configuration.buildProcessEngine();
    }

    /** One acquisition round of this engine's job executor: locks what is due, as a live replica would, runs nothing. */
    static void acquire(ProcessEngine engine) {
        var configuration = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        configuration.getCommandExecutorTxRequired().execute(new AcquireJobsCmd(configuration.getJobExecutor()));
    }

    static JobEntity job(ProcessEngine engine, String processInstanceId) {
        return (JobEntity) engine.getManagementService()
                .createJobQuery()
                .processInstanceId(processInstanceId)
                .singleResult();
    }

    @Test
    void aRestartedReplicaReleasesItsOwnLocksAndNoOneElses() throws Exception {
        ProcessEngine first = engine("replica-1-before", "replica-1");
        first.getRepositoryService()
                .createDeployment()
                .addModelInstance(
                        "step.bpmn",
                        Bpmn.createExecutableProcess("OneStep")
                                .camundaHistoryTimeToLive(1)
                                .startEvent()
                                .serviceTask("Task_Step")
                                .camundaAsyncBefore()
                                .camundaExpression("${true}")
                                .endEvent()
                                .done())
                .deploy();
        String mine =
                first.getRuntimeService().startProcessInstanceByKey("OneStep").getId();
        acquire(first);
        ProcessEngine other = engine("replica-2", "replica-2");
        String theirs =
                other.getRuntimeService().startProcessInstanceByKey("OneStep").getId();
        acquire(other);
        assertThat(job(first, mine).getLockOwner()).isEqualTo("replica-1");
        Date theirExpiry = job(other, theirs).getLockExpirationTime();
        assertThat(job(other, theirs).getLockOwner()).isEqualTo("replica-2");
        assertThat(theirExpiry).isAfter(new Date());
        // Both die holding their locks (close runs no job: their executors never started).
        first.close();
        other.close();

        ProcessEngine restarted = engine("replica-1-after", "replica-1");
        try {
            var configuration = (ProcessEngineConfigurationImpl) restarted.getProcessEngineConfiguration();
            assertThat(configuration.getJobExecutor().getLockOwner()).isEqualTo("replica-1");
            JobEntity released = job(restarted, mine);
            assertThat(released.getLockOwner()).isNull();
            assertThat(released.getLockExpirationTime()).isNull();
            assertThat(released.getRetries())
                    .as("a step that died running is not counted as failed")
                    .isEqualTo(3);
            JobEntity kept = job(restarted, theirs);
            assertThat(kept.getLockOwner()).isEqualTo("replica-2");
            assertThat(kept.getLockExpirationTime()).isEqualTo(theirExpiry);

            configuration.getJobExecutor().start();
            AppTestSupport.awaitEnded(restarted.getHistoryService(), mine, Duration.ofSeconds(20));
            Job stillLocked = restarted
                    .getManagementService()
                    .createJobQuery()
                    .processInstanceId(theirs)
                    .singleResult();
            assertThat(stillLocked)
                    .as("replica 2's step waits for its own lock to expire")
                    .isNotNull();
        } finally {
            restarted.close();
        }
    }
}
