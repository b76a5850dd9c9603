package io.polarstack.orchestrator.adapters.manager;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The resident manager agent ({@code manager-agent serve}) as the manager container runs it, as postgres, and the same
 * container script the orchestrator execs, which forwards to its socket: the answers and error codes of the one-shot
 * agent, on this machine's PostgreSQL 15; a killed resident agent leaves the script serving requests one-shot; and
 * the health round trip of both paths printed side by side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResidentAgentIT {

    private Path scratch;
    private Path socket;
    private Process resident;
    private Target rw;
    private JsonManagerClient viaResident;
    private JsonManagerClient oneShot;

    @BeforeAll
    void setUp() throws Exception {
        scratch = LocalPostgres.scratch("polarstack-resident-it");
        socket = scratch.resolve("agent/agent.sock");
        rw = LocalPostgres.target(scratch, "rw-0", "rw");
        viaResident = LocalPostgres.agentClient("POLARSTACK_AGENT_SOCKET=" + socket);
        oneShot = LocalPostgres.agentClient("POLARSTACK_AGENT_SOCKET=" + socket, "POLARSTACK_AGENT_ONE_SHOT=1");
        resident = startResident();
    }

    private Process startResident() throws Exception {
        List<String> command = new ArrayList<>();
        if (LocalPostgres.ROOT) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(
                "env",
                "POLARSTACK_ORCHESTRATOR_JAR=" + LocalPostgres.agentJar(),
                "POLARSTACK_AGENT_SOCKET=" + socket,
                Path.of("rootfs/usr/local/bin/manager-agent").toAbsolutePath().toString(),
                "serve"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(scratch.resolve("resident.log").toFile())
                .start();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(socket)) {
            assertThat(process.isAlive())
                    .as("the resident agent runs; see %s", scratch.resolve("resident.log"))
                    .isTrue();
            assertThat(System.nanoTime()).as("the socket appears within 60 s").isLessThan(end);
            Thread.sleep(100);
        }
        return process;
    }

    @AfterAll
    void tearDown() throws Exception {
        if (resident != null) {
            resident.descendants().forEach(ProcessHandle::destroyForcibly);
            resident.destroyForcibly();
        }
        LocalPostgres.stopQuietly(scratch.resolve("rw/data"));
        LocalPostgres.run(List.of("rm", "-rf", scratch.toString()), Map.of());
    }

    @Test
    @Order(1)
    void theResidentAgentAnswersAsTheOneShotAgentDoes() throws Exception {
        assertThat(Files.isDirectory(socket.getParent())).isTrue();
        ManagerClient.InstallResult installed = viaResident.install(
                rw,
                InstallSpec.rw(LocalPostgres.freePort())
                        .withNetwork("127.0.0.1", List.of("127.0.0.1/32"))
                        .withParams(Map.of("fsync", "off", "shared_buffers", "16MB")));
        assertThat(installed.skipped()).isFalse();
        assertThat(oneShot.health(rw).state()).isEqualTo(HealthState.STOPPED);
        assertThat(viaResident.health(rw).state()).isEqualTo(HealthState.STOPPED);
        assertThat(viaResident.start(rw)).isFalse();
        assertThat(viaResident.start(rw)).as("start is idempotent").isTrue();
        assertThat(viaResident.health(rw).state()).isEqualTo(HealthState.RUNNING);
        assertThat(oneShot.health(rw).state()).isEqualTo(HealthState.RUNNING);
        assertThat(log()).as("served by the resident agent: it logs its pid").contains("[pid=" + residentPid() + "]");
    }

    @Test
    @Order(2)
    void anErrorKeepsItsCodeThroughTheSocket() {
        Target missing = LocalPostgres.target(scratch, "none-0", "none");
        var resident = failure(() -> viaResident.promote(missing));
        var alone = failure(() -> oneShot.promote(missing));
        assertThat(resident.code()).isEqualTo(alone.code()).isNotBlank();
        assertThat(resident.getMessage()).isEqualTo(alone.getMessage());
    }

    @Test
    @Order(3)
    void healthRoundTripsOfBothPaths() {
        long[] viaSocket = time(() -> viaResident.health(rw), 15);
        long[] perProcess = time(() -> oneShot.health(rw), 5);
        System.out.printf(
                "health round trip: resident median %d ms (max %d), one-shot median %d ms (max %d)%n",
                viaSocket[viaSocket.length / 2],
                viaSocket[viaSocket.length - 1],
                perProcess[perProcess.length / 2],
                perProcess[perProcess.length - 1]);
    }

    @Test
    @Order(4)
    void aKilledResidentAgentLeavesTheScriptServingOneShot() throws Exception {
        long pid = residentPid();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        assertThat(Files.exists(socket)).as("the socket file stays behind").isTrue();
        assertThat(viaResident.health(rw).state()).isEqualTo(HealthState.RUNNING);
        assertThat(log()).as("the request ran in a process of its own").containsPattern("\\[pid=(?!" + pid + "\\])");
    }

    private long residentPid() {
        return resident.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("manager-agent serve"))
                .filter(p -> p.info().command().orElse("").endsWith("java"))
                .mapToLong(ProcessHandle::pid)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no resident agent JVM under " + resident.pid()));
    }

    private String log() {
        return LocalPostgres.run(
                List.of("cat", scratch.resolve("rw/log/manager.log").toString()), Map.of());
    }

    private static ManagerException failure(Runnable call) {
        try {
            call.run();
        } catch (ManagerException e) {
            return e;
        }
        throw new AssertionError("the call did not fail");
    }

    private static long[] time(Supplier<?> call, int times) {
        long[] millis = new long[times];
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            call.get();
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        Arrays.sort(millis);
        return millis;
    }
}
