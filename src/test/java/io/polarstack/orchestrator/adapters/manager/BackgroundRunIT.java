package io.polarstack.orchestrator.adapters.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The instance lock and background runs of the built jar's manager agent, against this machine's PostgreSQL 15 as
 * the postgres user: two actions at once on one instance never run side by side, and a run polled again and again
 * under one request id (as a step re-run after its job lock expired would) happens once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackgroundRunIT {

    private Path scratch;
    private int port;
    private Target rw;
    private JsonManagerClient client;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @BeforeAll
    void setUp() throws IOException {
        scratch = LocalPostgres.scratch("polarstack-run-it");
        port = LocalPostgres.freePort();
        rw = LocalPostgres.target(scratch, "rw-0", "rw");
        client = LocalPostgres.agentClient();
    }

    @AfterAll
    void tearDown() {
        pool.shutdownNow();
        LocalPostgres.stopQuietly(scratch.resolve("rw/data"));
        LocalPostgres.run(List.of("rm", "-rf", scratch.toString()), Map.of());
    }

    private <T> List<T> together(Callable<T> a, Callable<T> b) throws Exception {
        List<Future<T>> futures = new ArrayList<>(List.of(pool.submit(a), pool.submit(b)));
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(5, TimeUnit.MINUTES));
        }
        return results;
    }

    private String managerLog() throws IOException {
        return Files.readString(scratch.resolve("rw/log/manager.log"));
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    @Order(1)
    void twoInstallsAtOnceInitialiseTheDataDirectoryOnce() throws Exception {
        InstallSpec spec = InstallSpec.rw(port)
                .withNetwork("127.0.0.1", List.of("127.0.0.1/32"))
                .withParams(Map.of("fsync", "off", "shared_buffers", "16MB"));
        List<ManagerClient.InstallResult> both =
                together(() -> client.install(rw, spec), () -> client.install(rw, spec));
        assertEquals(
                1,
                both.stream().filter(r -> !r.skipped()).count(),
                "exactly one install did the work, the other waited and found it done: " + both);
        assertTrue(managerLog().contains("instance busy: install"), "the second one waited for the first");
        assertFalse(client.start(rw));
        assertEquals(HealthState.RUNNING, client.health(rw).state());
        assertTrue(client.createAccount(rw, "app", "app-secret", 1));
    }

    @Test
    @Order(2)
    void aBackgroundRestartPolledUnderOneIdRestartsOnce() throws Exception {
        int before = postmasterPid();
        String id = "restart-run-1";
        ManagerClient.Run first = client.restartInBackground(rw, id);
        assertTrue(first.started());
        // The same request again and again, as a step re-executed after its lock expired, or the next poll.
        List<ManagerClient.Run> again =
                together(() -> client.restartInBackground(rw, id), () -> client.restartInBackground(rw, id));
        assertTrue(again.stream().noneMatch(ManagerClient.Run::started), "no second run: " + again);
        ManagerClient.Run run = first;
        for (int i = 0; i < 600 && !run.done(); i++) {
            Thread.sleep(100);
            run = client.restartInBackground(rw, id);
        }
        assertTrue(run.done(), "the restart finished: " + run);
        assertEquals("running", run.result().get("state"));
        assertNotEquals(before, postmasterPid(), "restarted");
        String log = managerLog();
        assertEquals(1, count(log, "restart succeeded"), "one restart ran:\n" + log);
        assertTrue(
                Files.readString(scratch.resolve("rw/log/runs/" + id + ".json")).contains("\"state\":\"succeeded\""));
        int after = postmasterPid();
        assertTrue(client.restartInBackground(rw, id).done(), "a late poll reads the answer, it does not restart");
        assertEquals(after, postmasterPid());
    }

    /**
     * A real job executor whose lock (1 s) is far shorter than the restart (an agent JVM, a stop, a start): the step
     * starts the restart in the background and a timer loop polls it. On a busy machine even one poll (an agent JVM)
     * outlasts this lock, so the engine hands the same job to a second thread while the first still runs; the engine
     * still restarts once, however often and however concurrently the step runs.
     */
    @Test
    @Order(3)
    void aStepWithALockShorterThanItsWorkRestartsTheEngineOnce() throws Exception {
        int before = postmasterPid();
        long restartsBefore = count(managerLog(), "restart succeeded");
        var passes = new java.util.concurrent.atomic.AtomicInteger();
        org.camunda.bpm.engine.delegate.JavaDelegate step = execution -> {
            passes.incrementAndGet();
            var run = client.restartInBackground(
                    rw, io.polarstack.orchestrator.delegates.common.BackgroundRuns.runId(execution, "rw"));
            execution.setVariable("restarted", run.done());
        };
        var model = org.camunda.bpm.model.bpmn.Bpmn.createExecutableProcess("SlowStep")
                .camundaHistoryTimeToLive(1)
                .startEvent()
                .serviceTask("Task_RestartRw")
                .camundaAsyncBefore()
                .camundaDelegateExpression("${restartStep}")
                .exclusiveGateway("Gateway_Restarted")
                .condition("yes", "${restarted}")
                .endEvent("EndEvent_Restarted")
                .moveToLastGateway()
                .condition("no", "${!restarted}")
                .intermediateCatchEvent("Timer_Recheck")
                .timerWithDuration("PT1S")
                .connectTo("Task_RestartRw")
                .done();
        var engine = io.polarstack.orchestrator.testing.TestEngines.inMemory(
                "slow-step-" + System.nanoTime(), Map.of("restartStep", step));
        try {
            engine.getRepositoryService()
                    .createDeployment()
                    .addModelInstance("slow-step.bpmn", model)
                    .deploy();
            var jobs = ((org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl)
                            engine.getProcessEngineConfiguration())
                    .getJobExecutor();
            jobs.setLockTimeInMillis(1000);
            jobs.setWaitTimeInMillis(100);
            jobs.setMaxWait(200);
            jobs.start();
            var instance = engine.getRuntimeService().startProcessInstanceByKey("SlowStep");
            for (int i = 0;
                    i < 1200
                            && engine.getRuntimeService()
                                            .createProcessInstanceQuery()
                                            .processInstanceId(instance.getId())
                                            .count()
                                    > 0;
                    i++) {
                Thread.sleep(100);
            }
            jobs.shutdown();
            assertEquals(
                    0,
                    engine.getRuntimeService()
                            .createProcessInstanceQuery()
                            .processInstanceId(instance.getId())
                            .count(),
                    "the flow ended");
            assertTrue(passes.get() >= 2, "the step ran more than once (polls): " + passes);
            assertEquals(0, engine.getRuntimeService().createIncidentQuery().count());
        } finally {
            engine.close();
        }
        assertNotEquals(before, postmasterPid(), "restarted");
        String log = managerLog();
        assertEquals(restartsBefore + 1, count(log, "restart succeeded"), "one restart ran:\n" + log);
        assertEquals(HealthState.RUNNING, client.health(rw).state());
    }

    @Test
    @Order(4)
    void aRunningStopKeepsOtherActionsOutAndAKilledRunIsReportedLost() throws Exception {
        // A session in a transaction keeps a smart shutdown waiting: the stop runs on, holding the instance's lock.
        try (Connection c = LocalPostgres.tcp(port, "app", "app-secret");
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("select 1");
            String id = "stop-run-1";
            ManagerClient.Run stop = client.stopInBackground(rw, ManagerClient.StopMode.SMART, 300, id);
            assertTrue(stop.started());
            long pid = Long.parseLong(stop.result().get("pid"));
            Path lock = scratch.resolve("rw/log/ins_action_lock");
            for (int i = 0; i < 300 && !Files.readString(lock).contains("requestId=" + id); i++) {
                Thread.sleep(100); // the run's JVM starts, then takes the lock
            }
            ManagerException busy = assertThrows(ManagerException.class, () -> client.restart(rw));
            assertEquals("INSTANCE_BUSY", busy.code(), busy.getMessage());
            assertTrue(busy.getMessage().contains("stop (request " + id), busy.getMessage());

            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9 of the run
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
            ManagerException lost = assertThrows(
                    ManagerException.class, () -> client.stopInBackground(rw, ManagerClient.StopMode.SMART, 300, id));
            assertEquals("RUN_LOST", lost.code(), lost.getMessage());
            c.rollback();
        }
    }

    private int postmasterPid() throws IOException {
        return Integer.parseInt(Files.readAllLines(scratch.resolve("rw/data/postmaster.pid"))
                .get(0)
                .strip());
    }
}
