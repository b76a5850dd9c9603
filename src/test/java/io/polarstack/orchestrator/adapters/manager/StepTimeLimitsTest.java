package io.polarstack.orchestrator.adapters.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No step runs longer than its job lock: Camunda CE cannot extend a lock, and a step still running when its lock
 * expires is run a second time beside the first. Every manager call a delegate makes synchronously must end, at
 * its worst (the agent's limit plus the exec's margin), well inside the configured lock time; long work runs in the
 * background and is polled. A future timeout bump, or a delegate calling a long action synchronously, fails here.
 */
class StepTimeLimitsTest {

    /** Left for a step's own Kubernetes calls and the commit after the manager answered. */
    static final Duration MARGIN = Duration.ofSeconds(20);

    /** Port method to agent action. */
    static final Map<String, String> ACTIONS = Map.ofEntries(
            Map.entry("install", "install"),
            Map.entry("start", "start"),
            Map.entry("stop", "stop"),
            Map.entry("restart", "restart"),
            Map.entry("health", "health"),
            Map.entry("role", "role"),
            Map.entry("createAccount", "account-create"),
            Map.entry("updateParams", "params-update"),
            Map.entry("lockDiskFull", "lock-diskfull"),
            Map.entry("unlockDiskFull", "unlock-diskfull"),
            Map.entry("lockExpiry", "lock-expiry"),
            Map.entry("unlockExpiry", "unlock-expiry"),
            Map.entry("growStorage", "grow-storage"),
            Map.entry("createSlot", "slot-create"),
            Map.entry("removeSlot", "slot-remove"),
            Map.entry("promote", "promote"),
            Map.entry("systemIdentifier", "system-identifier"),
            Map.entry("walPosition", "wal-position"),
            Map.entry("checkpoint", "checkpoint"),
            Map.entry("shutdownCheckpoint", "shutdown-checkpoint"),
            Map.entry("follow", "follow"),
            Map.entry("rejoin", "rejoin"));

    /**
     * Synchronous long calls not yet turned into background runs, by delegate: known, so that no new one slips in.
     * Each is a step that can outlive its lock (see the README's "Long steps").
     */
    static final Set<String> NOT_YET_CONVERTED = Set.of();

    private static final Pattern CALL = Pattern.compile("manager\\s*\\.\\s*([a-zA-Z]+)\\s*\\(");
    private static final Pattern STOP_TIMEOUT = Pattern.compile("STOP_TIMEOUT_SECONDS\\s*=\\s*(\\d+)");

    static Duration lockTime() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.yml"))) {
            Map<String, Object> yml = new Yaml().load(in);
            Object ms = path(yml, "camunda.bpm", "job-execution", "lock-time-in-millis");
            return Duration.ofMillis(((Number) ms).longValue());
        }
    }

    @SuppressWarnings("unchecked")
    private static Object path(Map<String, Object> map, String... keys) {
        Object node = map;
        for (String k : keys) {
            node = ((Map<String, Object>) node).get(k);
        }
        return node;
    }

    @Test
    void everySynchronousManagerCallOfAStepEndsWellInsideTheJobLock() throws IOException {
        Duration budget = lockTime().minus(MARGIN);
        var client = new JsonManagerClient((t, a, i, d) -> null, List.of("manager-agent"), Map.of());
        List<String> tooLong = new ArrayList<>();
        Set<String> calls = new TreeSet<>();
        // every source under delegates/: the delegates and the helpers they call the manager through
        try (Stream<Path> files = Files.walk(Path.of("delegates"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f);
                String delegate = f.getFileName().toString().replace(".java", "");
                Matcher m = CALL.matcher(source);
                while (m.find()) {
                    String method = m.group(1);
                    calls.add(delegate + "." + method);
                    Duration worst;
                    if (method.endsWith("InBackground")) {
                        worst = JsonManagerClient.POLL_TIMEOUT;
                    } else if (method.equals("stop")) {
                        Matcher t = STOP_TIMEOUT.matcher(source);
                        assertThat(t.find())
                                .as(delegate + " names its STOP_TIMEOUT_SECONDS")
                                .isTrue();
                        worst = client.stopLimit(Integer.parseInt(t.group(1))).plusSeconds(10);
                    } else {
                        assertThat(ACTIONS)
                                .as("the action of manager." + method)
                                .containsKey(method);
                        worst = client.worstCase(ACTIONS.get(method));
                    }
                    if (worst.compareTo(budget) > 0 && !NOT_YET_CONVERTED.contains(delegate + "." + method)) {
                        tooLong.add(delegate + " calls manager." + method + ": up to " + worst.toSeconds()
                                + " s, the lock leaves " + budget.toSeconds() + " s");
                    }
                }
            }
        }
        assertThat(calls)
                .as("the scan finds the delegates' calls")
                .contains("InstallInstanceDelegate.installInBackground")
                .as("and those of the steps' helpers (a delegate's calls through them)")
                .contains("InstanceStops.stopInBackground");
        assertThat(tooLong).isEmpty();
        assertThat(calls)
                .as("the known long calls are still there (else drop them from NOT_YET_CONVERTED)")
                .containsAll(NOT_YET_CONVERTED);
    }

    @Test
    void theCheckSeesALongSynchronousCall() throws IOException {
        var client = new JsonManagerClient((t, a, i, d) -> null, List.of("manager-agent"), Map.of());
        assertThat(client.worstCase("install")).isGreaterThan(lockTime());
        var bumped = new JsonManagerClient(
                (t, a, i, d) -> null, List.of("manager-agent"), Map.of("promote", Duration.ofMinutes(5)));
        assertThat(bumped.worstCase("promote")).isGreaterThan(lockTime().minus(MARGIN));
    }
}
