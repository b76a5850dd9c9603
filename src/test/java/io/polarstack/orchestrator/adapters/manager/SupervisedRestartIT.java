package io.polarstack.orchestrator.adapters.manager;

import static io.polarstack.orchestrator.adapters.manager.LocalPostgres.BIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polarstack.orchestrator.ports.ManagerClient.Flavour;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.ports.ManagerClient.Layout;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import io.polarstack.orchestrator.ports.PodExec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code restart} of an engine run by the engine image's supervisor (rootfs/docker_script/supervisor.sh), both real,
 * with this machine's PostgreSQL 15 as postgres. The supervisor starts postgres again at once after a clean stop
 * unless the stop lock exists; a restart that stopped without the lock raced it, and {@code pg_ctl stop -w} then
 * waited out its whole timeout on the postmaster the supervisor had started meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SupervisedRestartIT {

    private final ObjectMapper json = new ObjectMapper();
    private Path scratch;
    private Path data;
    private Path supervisorOut;
    private Process supervisor;
    private Target target;
    private JsonManagerClient client;

    @BeforeAll
    void setUp() throws Exception {
        scratch = LocalPostgres.scratch("polarstack-supervised-it");
        data = scratch.resolve("rw/data");
        client = LocalPostgres.agentClient();
        int port = LocalPostgres.freePort();
        Target unsupervised = layout(false);
        client.install(
                unsupervised,
                InstallSpec.rw(port)
                        .withNetwork("127.0.0.1", List.of("127.0.0.1/32"))
                        .withParams(Map.of("fsync", "off", "shared_buffers", "16MB")));

        // The supervisor as the engine container runs it (as postgres here: it then needs no runuser of its own).
        supervisorOut = scratch.resolve("supervisor.out");
        List<String> command = new ArrayList<>();
        if (LocalPostgres.ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(
                "env",
                "PGDATA=" + data,
                "SUPERVISOR_POLL_SECONDS=1",
                Path.of("rootfs/docker_script/supervisor.sh").toAbsolutePath().toString(),
                BIN.resolve("postgres").toString(),
                "-D",
                data.toString()));
        supervisor = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(supervisorOut.toFile())
                .start();
        target = layout(true);
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (client.health(target).state() != HealthState.RUNNING) {
            assertTrue(
                    System.nanoTime() < end,
                    () -> "the supervisor did not start postgres in 30 s: " + read(supervisorOut));
            Thread.sleep(200);
        }
    }

    private Target layout(boolean supervised) {
        return new Target(
                "local",
                "rw-0",
                Flavour.POSTGRESQL,
                new Layout(data.toString(), scratch.resolve("rw/log").toString(), BIN.toString(), supervised));
    }

    @AfterAll
    void tearDown() throws Exception {
        if (supervisor != null) {
            // The lock first, so the supervisor does not start postgres again while it is stopped.
            LocalPostgres.asPostgres(List.of("touch", data.resolve("ins_lock").toString()), Map.of());
            LocalPostgres.stopQuietly(data);
            supervisor.destroy();
            if (!supervisor.waitFor(10, TimeUnit.SECONDS)) {
                supervisor.destroyForcibly();
            }
        }
        LocalPostgres.run(List.of("rm", "-rf", scratch.toString()), Map.of());
    }

    @Test
    void restartStopsUnderTheLockSoTheSupervisorStartsOnePostmasterAfterIt() throws Exception {
        // Several rounds: without the lock the race is lost only most of the time.
        for (int round = 1; round <= 3; round++) {
            int before = postmasterPid();
            JsonNode answer = raw("restart", Map.of("stopTimeoutSeconds", 10, "timeoutSeconds", 60));
            assertTrue(answer.path("ok").asBoolean(), "restart " + round + ": " + answer);
            assertEquals(HealthState.RUNNING, client.health(target).state());
            assertNotEquals(before, postmasterPid(), "restart " + round + " runs a new postmaster");
            assertFalse(Files.exists(data.resolve("ins_lock")), "restart " + round + " lifts its lock");
        }
        String agentLog = read(scratch.resolve("rw/log/manager.log"));
        assertFalse(agentLog.contains("escalating to immediate"), "every fast stop finished in time:\n" + agentLog);
        String supervised = read(supervisorOut);
        assertFalse(
                supervised.contains("starting it again"),
                "no postmaster started behind a restart's back:\n" + supervised);
        assertEquals(3, supervised.split("staying down until it is removed", -1).length - 1, supervised);
    }

    private int postmasterPid() throws IOException {
        return Integer.parseInt(
                Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
    }

    /** A raw agent call with the supervised flag and fields the typed client does not send. */
    private JsonNode raw(String action, Map<String, Object> extra) throws IOException {
        ObjectNode request = json.createObjectNode();
        request.put("flavour", "postgresql");
        request.put("dataDir", data.toString());
        request.put("logDir", scratch.resolve("rw/log").toString());
        request.put("binDir", BIN.toString());
        request.put("supervised", true);
        extra.forEach((k, v) -> request.set(k, json.valueToTree(v)));
        Path jar = Path.of("target/orchestrator.jar").toAbsolutePath();
        PodExec.Result r = LocalPodExec.asUser("postgres")
                .exec(
                        new PodExec.Target("local", "rw-0", "manager"),
                        List.of("java", "-jar", jar.toString(), "manager-agent", action),
                        json.writeValueAsBytes(request),
                        Duration.ofSeconds(90));
        return json.readTree(r.stdout());
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }
}
