package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.polarstack.orchestrator.testing.TestEngines;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StepLogPluginTest {

    static ProcessEngine engine;

    @BeforeAll
    static void start() {
        JavaDelegate noop = execution -> {};
        engine = TestEngines.inMemory("step-log-test", Map.of("noopDelegate", noop), new StepLogPlugin());
        engine.getRepositoryService()
                .createDeployment()
                .addModelInstance(
                        "p.bpmn",
                        Bpmn.createExecutableProcess("Steps")
                                .camundaHistoryTimeToLive(1)
                                .startEvent()
                                .serviceTask("Task_One")
                                .camundaAsyncBefore()
                                .camundaDelegateExpression("${noopDelegate}")
                                .endEvent()
                                .done())
                .deploy();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** Each line's arguments, the instance id replaced (the in-memory engine's ids are small numbers). */
    private static List<List<String>> linesOfOneStep(Level level) {
        var logger = (Logger) LoggerFactory.getLogger(StepLogPlugin.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        Level before = logger.getLevel();
        logger.setLevel(level);
        logger.addAppender(appender);
        try {
            var instance = engine.getRuntimeService().startProcessInstanceByKey("Steps");
            var job = engine.getManagementService()
                    .createJobQuery()
                    .processInstanceId(instance.getId())
                    .singleResult();
            engine.getManagementService().executeJob(job.getId());
            return appender.list.stream()
                    .map(e -> java.util.Arrays.stream(e.getArgumentArray())
                            .map(a -> instance.getId().equals(a) ? "<instance>" : String.valueOf(a))
                            .toList())
                    .toList();
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }

    @Test
    void debugLogsStartAndEndWithTimeAndThread() {
        var lines = linesOfOneStep(Level.DEBUG);
        assertThat(lines).hasSize(2);
        String thread = Thread.currentThread().getName();
        assertThat(lines.get(0))
                .containsExactly("start", "Task_One", "<instance>", lines.get(0).get(3), thread);
        assertThat(lines.get(1))
                .containsExactly("end", "Task_One", "<instance>", lines.get(1).get(3), thread);
        // Microseconds since the epoch, in order.
        long start = Long.parseLong(lines.get(0).get(3));
        assertThat(start)
                .isCloseTo(System.currentTimeMillis() * 1000, org.assertj.core.data.Offset.offset(60_000_000L));
        assertThat(Long.parseLong(lines.get(1).get(3))).isGreaterThanOrEqualTo(start);
    }

    @Test
    void silentAboveDebug() {
        assertThat(linesOfOneStep(Level.INFO)).isEmpty();
    }
}
