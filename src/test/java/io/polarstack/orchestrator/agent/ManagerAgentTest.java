package io.polarstack.orchestrator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ManagerAgentTest {

    @TempDir
    Path dir;

    private int exit;

    private String run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exit = ManagerAgent.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of("POLARSTACK_LOG_DIR", dir.toString()));
        return out.toString(StandardCharsets.UTF_8);
    }

    private JsonNode json(String stdin, String... args) throws Exception {
        return new ObjectMapper().readTree(run(stdin, args));
    }

    @Test
    void helpListsEveryAction() {
        String help = run("", "--help");
        assertEquals(0, exit);
        for (Action action : Action.values()) {
            assertTrue(help.contains(action.command()), action.command());
        }
    }

    @Test
    void badRequestsAreInvalidArgumentsWithExitTwo() throws Exception {
        JsonNode notJson = json("{not json", "health");
        assertEquals(2, exit);
        assertFalse(notJson.path("ok").asBoolean());
        assertEquals("INVALID_ARGUMENT", notJson.path("error").path("code").asText());

        JsonNode noFlavour = json("{}", "health");
        assertEquals("INVALID_ARGUMENT", noFlavour.path("error").path("code").asText());
        assertTrue(noFlavour.path("error").path("message").asText().contains("flavour"));

        JsonNode wrongType = json("{\"flavour\":\"postgresql\",\"dataDir\":\"" + dir + "\",\"port\":\"x\"}", "health");
        assertTrue(wrongType.path("error").path("message").asText().contains("'port'"), wrongType.toString());
    }

    @Test
    void aMissingClusterIsNamedAndTheRequestIdIsKept() throws Exception {
        JsonNode answer = json("{\"flavour\":\"postgresql\",\"dataDir\":\"" + dir.resolve("none") + "\",\"requestId\":\"req-7\"}", "start");
        assertEquals(ErrorCode.NOT_INSTALLED.exitCode(), exit);
        assertEquals("req-7", answer.path("requestId").asText());
        assertTrue(answer.path("error").path("message").asText().contains(dir.resolve("none").toString()));
        assertTrue(Files.readString(dir.resolve("manager.log")).contains("[request_id=req-7]"));
    }

    @Test
    void theRequestIsLoggedWithoutSecrets() throws Exception {
        run("{\"flavour\":\"postgresql\",\"dataDir\":\"" + dir.resolve("none") + "\",\"user\":\"u\",\"password\":\"hunter2\","
                + "\"primary\":{\"password\":\"hunter3\"}}", "account-create");
        String log = Files.readString(dir.resolve("manager.log"));
        assertFalse(log.contains("hunter2") || log.contains("hunter3"), log);
        assertTrue(log.contains("\"password\":\"***\""));
    }

    @Test
    void theLogRotatesAtItsLimitKeepingFifteenBackups() throws Exception {
        AgentLog log = new AgentLog(dir.resolve("m.log"), 200, "r1");
        for (int i = 0; i < 100; i++) {
            log.info("line %d of some length to fill the file", i);
        }
        assertTrue(Files.size(dir.resolve("m.log")) <= 200);
        assertTrue(Files.exists(dir.resolve("m.log.15")));
        assertFalse(Files.exists(dir.resolve("m.log.16")));
        assertTrue(Files.readString(dir.resolve("m.log")).contains("line 99"));
    }
}
