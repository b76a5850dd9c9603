package io.polarstack.orchestrator.flows;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;

/**
 * A step that runs four times its job lock (1 s here) on a real job executor with several threads: held by its lease
 * it runs once and the flow ends; without one the executor takes the job again while the first run goes on (and, the
 * row's version bumped by each new lock, no run can commit: the step repeats for ever).
 */
class JobLockLeaseTest {

    static final long STEP_MILLIS = 4_000;

    @Test
    void aLongStepHoldingItsLeaseRunsOnce() throws Exception {
        assertThat(runs("lease", true)).as("runs of the leased step").isEqualTo(1);
    }

    @Test
    void withoutItTheExpiredLockHandsTheJobToASecondThread() throws Exception {
        assertThat(runs("no-lease", false))
                .as("runs of the step without a lease")
                .isGreaterThan(1);
    }

    /** Runs of the step once the flow ended, or once a second run has started. */
    static int runs(String name, boolean lease) throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        JavaDelegate slow = execution -> {
            started.incrementAndGet();
            if (lease) {
                try (var held = JobLockLease.hold()) {
                    Thread.sleep(STEP_MILLIS); // the test's stand-in for a build; a real step never sleeps
                }
            } else {
                Thread.sleep(STEP_MILLIS);
            }
            ended.incrementAndGet();
        };
        var configuration = (ProcessEngineConfigurationImpl)
                ProcessEngineConfiguration.createStandaloneInMemProcessEngineConfiguration();
        configuration.setProcessEngineName("job-lock-lease-" + name);
        configuration.setJdbcUrl("jdbc:h2:mem:job-lock-lease-" + name + ";DB_CLOSE_DELAY=-1");
        configuration.setBeans(Map.of("slow", slow));
        configuration.setJobExecutorActivate(false);
        ProcessEngine engine = configuration.buildProcessEngine();
        var executor = configuration.getJobExecutor();
        executor.setLockTimeInMillis(1_000);
        executor.setWaitTimeInMillis(100);
        executor.setMaxWait(200);
        try {
            engine.getRepositoryService()
                    .createDeployment()
                    .addModelInstance(
                            "slow.bpmn",
                            Bpmn.createExecutableProcess("Slow")
                                    .camundaHistoryTimeToLive(1)
                                    .startEvent()
                                    .serviceTask("Task_Slow")
                                    .camundaAsyncBefore()
                                    .camundaDelegateExpression("${slow}")
                                    .endEvent()
                                    .done())
                    .deploy();
            String instance =
                    engine.getRuntimeService().startProcessInstanceByKey("Slow").getId();
            executor.start();
            var query = engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(instance);
            await(
                    Duration.ofSeconds(30),
                    () -> "the flow ends, or a second run starts; runs started " + started.get() + ", ended "
                            + ended.get(),
                    () -> (query.count() == 0 && started.get() == ended.get()) || started.get() > 1);
            Thread.sleep(STEP_MILLIS); // a run started late would show here
            return started.get();
        } finally {
            executor.shutdown();
            engine.close();
        }
    }
}
