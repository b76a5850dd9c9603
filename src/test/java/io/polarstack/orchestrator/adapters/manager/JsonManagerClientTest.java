package io.polarstack.orchestrator.adapters.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import io.polarstack.orchestrator.ports.PodExec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's side of the protocol: request shape, timeouts, retries only for a container that is not ready. */
class JsonManagerClientTest {

    private final Target target = new Target("ns", "pod-0", ManagerClient.Flavour.POLARDB);
    private final List<String> requests = new ArrayList<>();
    private final List<Duration> timeouts = new ArrayList<>();

    /** Answers from a script: an exception to throw or a result to return, one per call. */
    private PodExec scripted(Object... answers) {
        List<Object> script = new ArrayList<>(List.of(answers));
        return (where, argv, stdin, timeout) -> {
            assertEquals("manager", where.container());
            assertEquals(List.of("manager-agent", argv.get(argv.size() - 1)), argv);
            requests.add(new String(stdin, StandardCharsets.UTF_8));
            timeouts.add(timeout);
            Object next = script.remove(0);
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (PodExec.Result) next;
        };
    }

    private JsonManagerClient client(PodExec exec) {
        return new JsonManagerClient(exec, List.of("manager-agent"), Map.of("health", Duration.ofSeconds(2)));
    }

    @Test
    void aContainerThatIsNotReadyFailsAtOnceForTheStepToRetry() throws Exception {
        PodExec.ContainerNotReadyException notReady =
                new PodExec.ContainerNotReadyException("container not found (\"manager\")", null);
        JsonManagerClient notYet = client(scripted(notReady));
        assertEquals(
                "CONTAINER_NOT_READY",
                assertThrows(ManagerException.class, () -> notYet.health(target))
                        .code());
        assertEquals(1, requests.size(), "no second exec: the step's retry profile waits, not this thread");

        JsonManagerClient client = client(scripted(
                new PodExec.Result(0, "{\"ok\":true,\"result\":{\"state\":\"running\",\"locked\":false}}\n", "")));
        assertEquals(ManagerClient.HealthState.RUNNING, client.health(target).state());
        JsonNode request = new ObjectMapper().readTree(requests.get(1));
        assertEquals("polardb", request.path("flavour").asText());
        assertEquals(2, request.path("timeoutSeconds").asInt());
        assertTrue(timeouts.get(1).compareTo(Duration.ofSeconds(2)) > 0, "the exec outlives the agent's own deadline");
    }

    @Test
    void aBackgroundRunIsStartedAndPolledUnderOneIdWithinAShortExec() throws Exception {
        JsonManagerClient client = client(scripted(
                ok("{\"runState\":\"running\",\"started\":true,\"pid\":42}"),
                ok("{\"runState\":\"succeeded\",\"changed\":true,\"rewound\":true}"),
                new PodExec.Result(
                        11,
                        "{\"ok\":false,\"error\":{\"code\":\"REWIND_FAILED\",\"message\":\"no common timeline\"}}\n",
                        "")));
        ManagerClient.Primary primary = new ManagerClient.Primary("10.0.0.2", 5432, "replicator", "s3cret");
        ManagerClient.Run started = client.rejoinInBackground(target, primary, "1001", "rw-0", "run-1");
        assertTrue(started.started());
        assertFalse(started.done());
        ManagerClient.Run done = client.rejoinInBackground(target, primary, "1001", "rw-0", "run-1");
        assertTrue(done.done());
        assertEquals("true", done.result().get("rewound"));
        assertEquals(
                "REWIND_FAILED",
                assertThrows(
                                ManagerException.class,
                                () -> client.rejoinInBackground(target, primary, "1001", "rw-0", "run-1"))
                        .code());
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 3; i++) {
            JsonNode request = json.readTree(requests.get(i));
            assertEquals("run-1", request.path("requestId").asText());
            assertTrue(request.path("background").asBoolean());
            assertEquals(600, request.path("timeoutSeconds").asInt(), "the run gets the action's whole time");
            assertEquals(JsonManagerClient.POLL_TIMEOUT, timeouts.get(i), "the exec itself is short");
        }
    }

    @Test
    void aShortStopIsAShortCall() throws Exception {
        JsonManagerClient client = client(scripted(ok("{\"alreadyStopped\":false,\"escalatedToImmediate\":false}")));
        client.stop(target, ManagerClient.StopMode.FAST, 60);
        assertEquals(
                90,
                new ObjectMapper()
                        .readTree(requests.get(0))
                        .path("timeoutSeconds")
                        .asInt());
        assertTrue(
                timeouts.get(0).compareTo(Duration.ofSeconds(120)) < 0,
                timeouts.get(0).toString());
    }

    @Test
    void otherFailuresAreNotRetried() {
        JsonManagerClient client = client(scripted(new PodExec.ExecException("forbidden", null)));
        assertEquals(
                "EXEC_FAILED",
                assertThrows(ManagerException.class, () -> client.role(target)).code());
        assertEquals(1, requests.size());

        JsonManagerClient agentSaysNo = client(scripted(new PodExec.Result(
                5,
                "{\"ok\":false,\"error\":{\"code\":\"INSTANCE_LOCKED\",\"message\":\"instance /data is locked\"}}\n",
                "")));
        ManagerException e = assertThrows(ManagerException.class, () -> agentSaysNo.restart(target));
        assertEquals("INSTANCE_LOCKED", e.code());
        assertTrue(e.getMessage().contains("ns/pod-0") && e.getMessage().contains("locked"), e.getMessage());
        assertEquals(2, requests.size());
    }

    @Test
    void aStoppedEngineIsAHealthAnswerAndGarbageIsAnError() {
        JsonManagerClient client = client(scripted(
                new PodExec.Result(
                        3,
                        "{\"ok\":false,\"error\":{\"code\":\"ENGINE_NOT_RUNNING\",\"message\":\"down\",\"details\":{\"locked\":true}}}",
                        ""),
                new PodExec.Result(1, "", "Error: Unable to access jarfile")));
        ManagerClient.Health health = client.health(target);
        assertEquals(ManagerClient.HealthState.STOPPED, health.state());
        assertTrue(health.locked());
        ManagerException garbage = assertThrows(ManagerException.class, () -> client.health(target));
        assertEquals("AGENT_FAILED", garbage.code());
        assertTrue(garbage.getMessage().contains("Unable to access jarfile"));
    }

    private static PodExec.Result ok(String result) {
        return new PodExec.Result(0, "{\"ok\":true,\"result\":" + result + "}\n", "");
    }

    @Test
    void failoverCallsSendTheNewPrimaryAndSlotAndReadTheAnswers() throws Exception {
        JsonManagerClient client = client(scripted(
                ok(
                        "{\"role\":\"primary\",\"timeline\":2,\"replayed\":50331880,\"replayedLsn\":\"0/30000E8\",\"received\":null}"),
                ok("{\"role\":\"replica\",\"timeline\":1,\"replayed\":4294967296,\"received\":4294967400}"),
                ok("{\"checkpointed\":true,\"redo\":1}"),
                ok("{\"state\":\"shut down\",\"checkpoint\":50331688,\"checkpointLsn\":\"0/3000028\",\"timeline\":1}"),
                ok(
                        "{\"changed\":true,\"primary\":\"10.0.0.2:5432\",\"slotName\":\"replica_1003_ro_2\",\"streaming\":true}"),
                ok("{\"changed\":true,\"rewound\":false,\"streaming\":true}")));
        assertEquals(new ManagerClient.WalPosition(true, 2, 50331880L, null), client.walPosition(target));
        assertEquals(new ManagerClient.WalPosition(false, 1, 1L << 32, 4294967400L), client.walPosition(target));
        client.checkpoint(target);
        assertEquals(50331688L, client.shutdownCheckpoint(target));
        ManagerClient.Primary primary = new ManagerClient.Primary("10.0.0.2", 5432, "replicator", "s3cret");
        assertTrue(client.follow(target, primary, "1003", "ro-2"));
        assertFalse(client.rejoin(target, primary, "1001", "rw-0"));

        ObjectMapper json = new ObjectMapper();
        for (int i : new int[] {4, 5}) {
            JsonNode request = json.readTree(requests.get(i));
            assertEquals("10.0.0.2", request.path("primary").path("host").asText());
            assertEquals(5432, request.path("primary").path("port").asInt());
            assertEquals("replicator", request.path("primary").path("user").asText());
            assertEquals(
                    "s3cret",
                    request.path("primary").path("password").asText(),
                    "the password travels on stdin, never in argv");
            assertEquals(i == 4 ? "1003" : "1001", request.path("custinsId").asText());
            assertEquals(
                    i == 4 ? "ro-2" : "rw-0", request.path("slotUniqueName").asText());
        }
        assertEquals(15, json.readTree(requests.get(0)).path("timeoutSeconds").asInt());
        assertEquals(90, json.readTree(requests.get(2)).path("timeoutSeconds").asInt(), "a checkpoint fits in a step");
        assertEquals(60, json.readTree(requests.get(4)).path("timeoutSeconds").asInt());
        assertEquals(600, json.readTree(requests.get(5)).path("timeoutSeconds").asInt(), "a rewind may copy a lot");
    }

    @Test
    void failoverFailuresKeepTheAgentsCode() {
        JsonManagerClient client = client(scripted(
                new PodExec.Result(
                        12, "{\"ok\":false,\"error\":{\"code\":\"NOT_SHUT_DOWN\",\"message\":\"in production\"}}", ""),
                new PodExec.Result(
                        11,
                        "{\"ok\":false,\"error\":{\"code\":\"REWIND_FAILED\",\"message\":\"pg_rewind failed\"}}",
                        ""),
                ok("{\"state\":\"shut down\"}")));
        assertEquals(
                "NOT_SHUT_DOWN",
                assertThrows(ManagerException.class, () -> client.shutdownCheckpoint(target))
                        .code());
        ManagerClient.Primary primary = new ManagerClient.Primary("10.0.0.2", 5432, "replicator", "s3cret");
        ManagerException rewind =
                assertThrows(ManagerException.class, () -> client.rejoin(target, primary, "1001", "rw-0"));
        assertEquals("REWIND_FAILED", rewind.code());
        assertFalse(rewind.getMessage().contains("s3cret"));
        assertEquals(
                "AGENT_FAILED",
                assertThrows(ManagerException.class, () -> client.shutdownCheckpoint(target))
                        .code(),
                "an answer without the position is not a position of 0");
        assertNull(JsonManagerClient.defaultTimeouts().get("no-such-action"));
        for (String action : new String[] {"wal-position", "checkpoint", "shutdown-checkpoint", "follow", "rejoin"}) {
            assertTrue(JsonManagerClient.defaultTimeouts().containsKey(action), action);
        }
    }
}
