package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.ScratchPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The engine's PostgreSQL (a scratch one) stopped for 30 s while a flow waits on a timer that falls due meanwhile,
 * then started again: the health endpoint's db component is DOWN during the outage, the flow goes on from its step
 * once the database is back, the step done before the outage does not run again, the one after runs once, and the
 * outage leaves no incident and no failed attempt behind. Prints how long the flow waited.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"management.endpoint.health.show-details=always"})
class EngineDatabaseOutageIT {

    static final String USER = "engine";
    static final String PASSWORD = "outage-" + Long.toHexString(System.nanoTime());
    static final Duration OUTAGE = Duration.ofSeconds(30);
    static ScratchPostgres database;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        AppTestSupport.register(registry, null);
        database = ScratchPostgres.start(USER, PASSWORD);
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres");
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> PASSWORD);
    }

    @AfterAll
    static void drop() {
        if (database != null) {
            database.close();
        }
    }

    /** Counts each step's runs and remembers when each ran. */
    public static class Steps {
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final List<Long> secondAt = new CopyOnWriteArrayList<>();

        public void run(DelegateExecution execution) {
            String step = execution.getCurrentActivityId();
            runs.computeIfAbsent(step, s -> new AtomicInteger()).incrementAndGet();
            if (step.equals("Task_After") || step.equals("Task_Next")) {
                secondAt.add(System.nanoTime());
            }
        }

        /** Test only: holds the step until the test has stopped the database, so its commit meets the outage. */
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);

        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        public void held(DelegateExecution execution) throws InterruptedException {
            run(execution);
            entered.countDown();
            release.await(2, java.util.concurrent.TimeUnit.MINUTES);
        }

        int runs(String step) {
            return runs.getOrDefault(step, new AtomicInteger()).get();
        }
    }

    @TestConfiguration
    static class Beans {
        @Bean
        Steps outageSteps() {
            return new Steps();
        }
    }

    @Autowired
    ProcessEngine engine;

    @Autowired
    Steps steps;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    String dbHealth() throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/db"))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Test
    void aFlowWaitsThroughTheOutageAndGoesOnFromItsStep() throws Exception {
        engine.getRepositoryService()
                .createDeployment()
                .addModelInstance(
                        "outage.bpmn",
                        Bpmn.createExecutableProcess("OutageProbe")
                                .camundaHistoryTimeToLive(1)
                                .startEvent()
                                .serviceTask("Task_Before")
                                .camundaAsyncBefore()
                                .camundaExpression("${outageSteps.run(execution)}")
                                .intermediateCatchEvent("Timer_Wait")
                                .timerWithDuration("PT10S")
                                .serviceTask("Task_After")
                                .camundaAsyncBefore()
                                .camundaExpression("${outageSteps.run(execution)}")
                                .endEvent()
                                .done())
                .deploy();
        assertThat(dbHealth()).startsWith("200").contains("UP");
        steps.secondAt.clear();
        String id = engine.getRuntimeService()
                .startProcessInstanceByKey("OutageProbe")
                .getId();
        awaitTimerWaiting(id);
        assertThat(steps.runs("Task_Before")).isEqualTo(1);

        long stopped = System.nanoTime();
        database.stopServer();
        List<String> healthDuringOutage = new ArrayList<>();
        try {
            while (System.nanoTime() - stopped < OUTAGE.toNanos()) {
                healthDuringOutage.add(dbHealth());
                Thread.sleep(2000);
            }
        } finally {
            database.startServer();
        }
        long started = System.nanoTime();
        System.out.println("db health during the outage: " + healthDuringOutage);
        assertThat(healthDuringOutage)
                .isNotEmpty()
                .allSatisfy(h -> assertThat(h).startsWith("503").contains("DOWN"));

        var ended = AppTestSupport.awaitEnded(engine.getHistoryService(), id, Duration.ofMinutes(5));
        assertThat(ended.getState()).isEqualTo("COMPLETED");
        assertThat(steps.runs("Task_Before"))
                .as("the step done before the outage")
                .isEqualTo(1);
        assertThat(steps.runs("Task_After")).as("the step after it").isEqualTo(1);
        assertThat(engine.getHistoryService()
                        .createHistoricIncidentQuery()
                        .processInstanceId(id)
                        .count())
                .as("incidents")
                .isZero();
        assertThat(engine.getHistoryService()
                        .createHistoricJobLogQuery()
                        .processInstanceId(id)
                        .failureLog()
                        .count())
                .as("failed attempts (each takes a retry)")
                .isZero();
        assertThat(dbHealth()).startsWith("200").contains("UP");
        double waitedAfterRestart = (steps.secondAt.get(0) - started) / 1e9;
        double waitedInAll = (steps.secondAt.get(0) - stopped) / 1e9;
        System.out.printf(
                "engine database outage: stopped %.1f s; the flow's next step ran %.1f s after the database was back"
                        + " (%.1f s after it stopped; its timer fell due 10 s into the outage)%n",
                (started - stopped) / 1e9, waitedAfterRestart, waitedInAll);
    }

    @Test
    void aStepWhoseCommitMeetsTheOutageRunsAgainOnceTheDatabaseIsBack() throws Exception {
        engine.getRepositoryService()
                .createDeployment()
                .addModelInstance(
                        "outage-in-flight.bpmn",
                        Bpmn.createExecutableProcess("OutageInFlight")
                                .camundaHistoryTimeToLive(1)
                                .startEvent()
                                .serviceTask("Task_Held")
                                .camundaAsyncBefore()
                                .camundaExpression("${outageSteps.held(execution)}")
                                .serviceTask("Task_Next")
                                .camundaAsyncBefore()
                                .camundaExpression("${outageSteps.run(execution)}")
                                .endEvent()
                                .done())
                .deploy();
        steps.secondAt.clear();
        String id = engine.getRuntimeService()
                .startProcessInstanceByKey("OutageInFlight")
                .getId();
        assertThat(steps.entered.await(60, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        long stopped = System.nanoTime();
        database.stopServer();
        steps.release.countDown(); // the step ends; its commit cannot reach the database
        try {
            while (System.nanoTime() - stopped < OUTAGE.toNanos()) {
                Thread.sleep(1000);
            }
        } finally {
            database.startServer();
        }
        long started = System.nanoTime();
        var ended = AppTestSupport.awaitEnded(engine.getHistoryService(), id, Duration.ofMinutes(5));
        assertThat(ended.getState()).isEqualTo("COMPLETED");
        // Its first run's commit was lost: the step runs again (steps are at-least-once and safe to repeat).
        assertThat(steps.runs("Task_Held")).as("the step whose commit was lost").isEqualTo(2);
        assertThat(steps.runs("Task_Next")).isEqualTo(1);
        assertThat(engine.getHistoryService()
                        .createHistoricIncidentQuery()
                        .processInstanceId(id)
                        .count())
                .isZero();
        System.out.printf(
                "engine database outage during a step: the step ran again and the flow went on %.1f s after the"
                        + " database was back; failed attempts recorded: %d%n",
                (steps.secondAt.get(0) - started) / 1e9,
                engine.getHistoryService()
                        .createHistoricJobLogQuery()
                        .processInstanceId(id)
                        .failureLog()
                        .count());
    }

    void awaitTimerWaiting(String processInstanceId) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            if (engine.getManagementService()
                            .createJobQuery()
                            .processInstanceId(processInstanceId)
                            .timers()
                            .count()
                    == 1) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the flow did not reach Timer_Wait");
    }
}
