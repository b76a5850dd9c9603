package io.polarstack.orchestrator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagerAgentTest {

    @TempDir
    Path dir;

    private int exit;

    private String run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exit = ManagerAgent.run(
                args,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("POLARSTACK_LOG_DIR", dir.toString()));
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
        JsonNode answer = json(
                "{\"flavour\":\"postgresql\",\"dataDir\":\"" + dir.resolve("none") + "\",\"requestId\":\"req-7\"}",
                "start");
        assertEquals(ErrorCode.NOT_INSTALLED.exitCode(), exit);
        assertEquals("req-7", answer.path("requestId").asText());
        assertTrue(answer.path("error")
                .path("message")
                .asText()
                .contains(dir.resolve("none").toString()));
        assertTrue(Files.readString(dir.resolve("manager.log")).contains("[request_id=req-7]"));
    }

    @Test
    void theRequestIsLoggedWithoutSecrets() throws Exception {
        run(
                "{\"flavour\":\"postgresql\",\"dataDir\":\"" + dir.resolve("none")
                        + "\",\"user\":\"u\",\"password\":\"hunter2\"," + "\"primary\":{\"password\":\"hunter3\"}}",
                "account-create");
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

    private static final String CONTROLDATA = """
            pg_control version number:            1300
            Database system identifier:           7312345678901234567
            Database cluster state:               %s
            pg_control last modified:             Sat 22 Nov 2025 05:33:10 AM UTC
            Latest checkpoint location:           1/3002A8
            Latest checkpoint's REDO location:    1/300270
            Latest checkpoint's TimeLineID:       2
            Latest checkpoint's PrevTimeLineID:   2
            """;

    @Test
    void controlDataGivesTheCheckpointAsBytesAndTheState() {
        Failover.ControlData clean = Failover.ControlData.parse(CONTROLDATA.formatted("shut down"));
        assertEquals((1L << 32) + 0x3002A8, clean.checkpoint());
        assertEquals(2, clean.timeline());
        assertTrue(clean.shutDown());
        assertEquals("1/3002A8", Failover.lsn(clean.checkpoint()));
        assertTrue(Failover.ControlData.parse(CONTROLDATA.formatted("shut down in recovery"))
                .shutDown());
        for (String state :
                new String[] {"in production", "in crash recovery", "shutting down", "in archive recovery"}) {
            Failover.ControlData c = Failover.ControlData.parse(CONTROLDATA.formatted(state));
            assertEquals(state, c.state());
            assertFalse(c.shutDown(), state);
        }
        AgentException garbage = assertThrows(
                AgentException.class, () -> Failover.ControlData.parse("pg_controldata: fatal: could not open"));
        assertEquals(ErrorCode.COMMAND_FAILED, garbage.code());
        assertEquals("0/0", Failover.lsn(0));
        assertEquals("FFFFFFFF/FFFFFFFF", Failover.lsn(-1));
    }

    @Test
    void followAndRejoinRequestsAreCheckedBeforeAnythingIsTouched() throws Exception {
        String common = "\"flavour\":\"postgresql\",\"dataDir\":\"" + dir.resolve("none") + "\"";
        String primary =
                "\"primary\":{\"host\":\"10.0.0.1\",\"port\":5432,\"user\":\"replicator\",\"password\":\"s3cret\"}";
        String slot = "\"custinsId\":\"1001\",\"slotUniqueName\":\"rw-0\"";
        for (String action : new String[] {"follow", "rejoin"}) {
            assertInvalid(json("{" + common + "," + slot + "}", action), "'primary'");
            assertInvalid(json("{" + common + "," + primary + "}", action), "'custinsId'");
            assertInvalid(
                    json(
                            "{" + common + "," + primary.replace("10.0.0.1", "10.0.0.1; touch /tmp/x") + "," + slot
                                    + "}",
                            action),
                    "'primary.host'");
            assertInvalid(
                    json(
                            "{" + common + "," + primary.replace(",\"password\":\"s3cret\"", "") + "," + slot + "}",
                            action),
                    "'primary.password'");
            assertInvalid(
                    json("{" + common + "," + primary + "," + slot.replace("rw-0", "RW'0") + "}", action), "slot");
            assertInvalid(
                    json("{" + common + "," + primary + "," + slot + ",\"streamWaitSeconds\":-1}", action),
                    "'streamWaitSeconds'");
            JsonNode valid = json("{" + common + "," + primary + "," + slot + "}", action);
            assertEquals(
                    "NOT_INSTALLED",
                    valid.path("error").path("code").asText(),
                    "a valid request reaches the data directory");
        }
        assertFalse(Files.readString(dir.resolve("manager.log")).contains("s3cret"));
    }

    private void assertInvalid(JsonNode answer, String field) {
        assertEquals(ErrorCode.INVALID_ARGUMENT.exitCode(), exit, answer.toString());
        assertEquals("INVALID_ARGUMENT", answer.path("error").path("code").asText());
        assertTrue(answer.path("error").path("message").asText().contains(field), answer.toString());
    }

    @Test
    void polardbRefusesFollowRejoinAndOnSharedStorageTheShutdownCheckpoint() throws Exception {
        Path data = dir.resolve("polar");
        Files.createDirectories(data);
        Files.writeString(data.resolve("PG_VERSION"), "11\n");
        Files.writeString(data.resolve("postgresql.conf"), "port = 5432\npolar_disk_name = 'mapper_36001405abc'\n");
        String request =
                "{\"flavour\":\"polardb\",\"dataDir\":\"" + data + "\",\"binDir\":\"" + dir.resolve("nobin") + "\","
                        + "\"primary\":{\"host\":\"10.0.0.1\",\"port\":5432,\"user\":\"replicator\",\"password\":\"x\"},"
                        + "\"custinsId\":\"1001\",\"slotUniqueName\":\"rw-0\"}";
        for (String action : new String[] {"follow", "rejoin", "shutdown-checkpoint"}) {
            JsonNode answer = json(request, action);
            assertEquals(ErrorCode.NOT_SUPPORTED.exitCode(), exit, action);
            assertTrue(answer.path("error").path("message").asText().contains("shared"), answer.toString());
        }
        // Local mode: still no follow or rejoin, but the shutdown checkpoint is read (here the binaries are missing).
        Files.writeString(data.resolve("postgresql.conf"), "port = 5432\n");
        assertEquals(
                "NOT_SUPPORTED",
                json(request, "rejoin").path("error").path("code").asText());
        assertEquals(
                "COMMAND_FAILED",
                json(request, "shutdown-checkpoint").path("error").path("code").asText());
    }
}
