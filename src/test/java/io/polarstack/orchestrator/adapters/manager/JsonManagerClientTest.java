package io.polarstack.orchestrator.adapters.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import io.polarstack.orchestrator.ports.PodExec;

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
        return new JsonManagerClient(exec, List.of("manager-agent"), new JsonManagerClient.Retry(3, Duration.ZERO),
                Map.of("health", Duration.ofSeconds(2)));
    }

    @Test
    void retriesAContainerThatIsNotReadyABoundedNumberOfTimes() throws Exception {
        PodExec.ContainerNotReadyException notReady = new PodExec.ContainerNotReadyException("container not found (\"manager\")", null);
        JsonManagerClient client = client(scripted(notReady, notReady,
                new PodExec.Result(0, "{\"ok\":true,\"result\":{\"state\":\"running\",\"locked\":false}}\n", "")));
        assertEquals(ManagerClient.HealthState.RUNNING, client.health(target).state());
        assertEquals(3, requests.size());
        JsonNode request = new ObjectMapper().readTree(requests.get(0));
        assertEquals("polardb", request.path("flavour").asText());
        assertEquals(2, request.path("timeoutSeconds").asInt());
        assertTrue(timeouts.get(0).compareTo(Duration.ofSeconds(2)) > 0, "the exec outlives the agent's own deadline");

        JsonManagerClient exhausted = client(scripted(notReady, notReady, notReady));
        assertEquals("CONTAINER_NOT_READY", assertThrows(ManagerException.class, () -> exhausted.health(target)).code());
    }

    @Test
    void otherFailuresAreNotRetried() {
        JsonManagerClient client = client(scripted(new PodExec.ExecException("forbidden", null)));
        assertEquals("EXEC_FAILED", assertThrows(ManagerException.class, () -> client.role(target)).code());
        assertEquals(1, requests.size());

        JsonManagerClient agentSaysNo = client(scripted(new PodExec.Result(5,
                "{\"ok\":false,\"error\":{\"code\":\"INSTANCE_LOCKED\",\"message\":\"instance /data is locked\"}}\n", "")));
        ManagerException e = assertThrows(ManagerException.class, () -> agentSaysNo.restart(target));
        assertEquals("INSTANCE_LOCKED", e.code());
        assertTrue(e.getMessage().contains("ns/pod-0") && e.getMessage().contains("locked"), e.getMessage());
        assertEquals(2, requests.size());
    }

    @Test
    void aStoppedEngineIsAHealthAnswerAndGarbageIsAnError() {
        JsonManagerClient client = client(scripted(
                new PodExec.Result(3, "{\"ok\":false,\"error\":{\"code\":\"ENGINE_NOT_RUNNING\",\"message\":\"down\",\"details\":{\"locked\":true}}}",
                        ""),
                new PodExec.Result(1, "", "Error: Unable to access jarfile")));
        ManagerClient.Health health = client.health(target);
        assertEquals(ManagerClient.HealthState.STOPPED, health.state());
        assertTrue(health.locked());
        ManagerException garbage = assertThrows(ManagerException.class, () -> client.health(target));
        assertEquals("AGENT_FAILED", garbage.code());
        assertTrue(garbage.getMessage().contains("Unable to access jarfile"));
    }
}
