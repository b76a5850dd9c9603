package io.polarstack.orchestrator.adapters.manager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.PodExec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@link ManagerClient} over {@link PodExec}: each call execs {@code <agentCommand> <action>} in the pod's
 * {@code manager} container with one JSON request on stdin and reads the one JSON answer from stdout. Each action
 * has its own time limit (the agent enforces it too). Nothing is retried or waited for here: a container that is
 * not ready fails at once ({@code CONTAINER_NOT_READY}), and the step's retry profile or a timer loop in its flow
 * waits, so no job thread sleeps. Long actions also run in the background ({@code ...InBackground}): the call
 * starts them, or reports on the run already started under that run id, within {@link #POLL_TIMEOUT}.
 */
public class JsonManagerClient implements ManagerClient {

    public static final String CONTAINER = "manager";
    /** The agent gets the action's time; the exec waits a little longer so the agent's TIMEOUT answer arrives. */
    private static final Duration EXEC_MARGIN = Duration.ofSeconds(10);

    /** How long starting or polling a background run may take (the agent only spawns or reads a file). */
    public static final Duration POLL_TIMEOUT = Duration.ofSeconds(30);

    private final PodExec exec;
    private final List<String> agentCommand;
    private final Map<String, Duration> timeouts;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param agentCommand argv that starts the agent in the container, e.g. {@code [manager-agent]}
     * @param timeouts per-action time limits by action name; actions not listed use the agent's defaults
     */
    public JsonManagerClient(PodExec exec, List<String> agentCommand, Map<String, Duration> timeouts) {
        this.exec = exec;
        this.agentCommand = List.copyOf(agentCommand);
        this.timeouts = Map.copyOf(timeouts);
    }

    static final Map<String, Duration> DEFAULT_TIMEOUTS = Map.ofEntries(
            Map.entry("install", Duration.ofMinutes(10)),
            Map.entry("start", Duration.ofMinutes(5)),
            Map.entry("stop", Duration.ofSeconds(330)),
            Map.entry("restart", Duration.ofMinutes(10)),
            Map.entry("health", Duration.ofSeconds(15)),
            Map.entry("role", Duration.ofSeconds(15)),
            Map.entry("account-create", Duration.ofMinutes(1)),
            Map.entry("params-update", Duration.ofMinutes(1)),
            Map.entry("lock-diskfull", Duration.ofMinutes(1)),
            Map.entry("unlock-diskfull", Duration.ofMinutes(1)),
            Map.entry("lock-expiry", Duration.ofSeconds(330)),
            Map.entry("unlock-expiry", Duration.ofMinutes(5)),
            // One instance per step (ExtendStorage): the expansion only maps PFS's new chunks, seconds; it must end
            // inside the job lock (StepTimeLimitsTest), and a timed-out one is retried, which is harmless.
            Map.entry("grow-storage", Duration.ofSeconds(60)),
            Map.entry("slot-create", Duration.ofSeconds(30)),
            Map.entry("slot-remove", Duration.ofSeconds(30)),
            // Both run as one step each: they must end well inside the job lock (StepTimeLimitsTest); a promotion of
            // a caught-up replica or a checkpoint takes seconds, and one that times out is retried by the step.
            Map.entry("promote", Duration.ofSeconds(90)),
            Map.entry("system-identifier", Duration.ofSeconds(30)),
            Map.entry("wal-position", Duration.ofSeconds(15)),
            Map.entry("checkpoint", Duration.ofSeconds(90)),
            Map.entry("shutdown-checkpoint", Duration.ofSeconds(30)),
            Map.entry("follow", Duration.ofMinutes(1)),
            Map.entry("rejoin", Duration.ofMinutes(10)));

    public static Map<String, Duration> defaultTimeouts() {
        return DEFAULT_TIMEOUTS;
    }

    @Override
    public InstallResult install(Target target, InstallSpec spec) {
        JsonNode res = call(target, "install", installRequest(spec));
        return new InstallResult(
                res.path("skipped").asBoolean(),
                res.path("reusedDataDir").asBoolean(),
                res.path("primarySlotName").isMissingNode()
                        ? null
                        : res.path("primarySlotName").asText(),
                res.path("locked").asBoolean());
    }

    @Override
    public Run installInBackground(Target target, InstallSpec spec, String runId) {
        return background(target, "install", installRequest(spec), runId);
    }

    @Override
    public Run startInBackground(Target target, String runId) {
        return background(target, "start", json.createObjectNode(), runId);
    }

    @Override
    public Run restartInBackground(Target target, String runId) {
        return background(target, "restart", json.createObjectNode(), runId);
    }

    @Override
    public Run rejoinInBackground(
            Target target, Primary primary, String custinsId, String slotUniqueName, String runId) {
        return background(target, "rejoin", upstreamRequest(primary, custinsId, slotUniqueName), runId);
    }

    @Override
    public Run stopInBackground(Target target, StopMode mode, int stopTimeoutSeconds, String runId) {
        return background(target, "stop", stopRequest(mode, stopTimeoutSeconds), runId);
    }

    private Run background(Target target, String action, ObjectNode request, String runId) {
        request.put("background", true);
        JsonNode res = call(target, action, request, runId, POLL_TIMEOUT);
        Map<String, String> result = new java.util.LinkedHashMap<>();
        res.fields().forEachRemaining(f -> result.put(f.getKey(), f.getValue().asText()));
        return new Run(
                "succeeded".equals(res.path("runState").asText()),
                res.path("started").asBoolean(),
                Map.copyOf(result));
    }

    private ObjectNode installRequest(InstallSpec spec) {
        ObjectNode r = json.createObjectNode();
        r.put("role", spec.role().name().toLowerCase(Locale.ROOT));
        r.put("mode", spec.mode().name().toLowerCase(Locale.ROOT));
        r.put("port", spec.port());
        putIfSet(r, "listenAddresses", spec.listenAddresses());
        r.set("params", json.valueToTree(spec.params() == null ? Map.of() : spec.params()));
        if (spec.hbaCidrs() != null) {
            r.set("hbaCidrs", json.valueToTree(spec.hbaCidrs()));
        }
        r.put("lockInstall", spec.lockInstall());
        if (spec.primary() != null) {
            putPrimary(r, spec.primary());
        }
        putIfSet(r, "custinsId", spec.custinsId());
        putIfSet(r, "slotUniqueName", spec.slotUniqueName());
        putIfSet(r, "logicInsId", spec.logicInsId());
        putIfSet(r, "wwid", spec.wwid());
        putIfSet(r, "polarHostId", spec.polarHostId());
        return r;
    }

    @Override
    public boolean start(Target target) {
        return call(target, "start", json.createObjectNode())
                .path("alreadyRunning")
                .asBoolean();
    }

    @Override
    public StopResult stop(Target target, StopMode mode, int stopTimeoutSeconds) {
        // The agent's limit follows the stop's own timeout (its escalation to immediate included), so a short stop
        // is a short step.
        JsonNode res = call(
                target,
                "stop",
                stopRequest(mode, stopTimeoutSeconds),
                UUID.randomUUID().toString(),
                stopLimit(stopTimeoutSeconds));
        return new StopResult(
                res.path("alreadyStopped").asBoolean(),
                res.path("escalatedToImmediate").asBoolean(),
                res.path("checkpoint").isIntegralNumber()
                        ? res.path("checkpoint").asLong()
                        : null);
    }

    private ObjectNode stopRequest(StopMode mode, int stopTimeoutSeconds) {
        ObjectNode r = json.createObjectNode();
        r.put("mode", mode.name().toLowerCase(Locale.ROOT));
        r.put("stopTimeoutSeconds", stopTimeoutSeconds);
        return r;
    }

    /**
     * The agent's time for a stop of {@code stopTimeoutSeconds}: pg_ctl's wait (+5 s), then an immediate stop
     * (10 s), and its own reserve of 15 s; never more than the configured stop limit.
     */
    Duration stopLimit(int stopTimeoutSeconds) {
        Duration wanted = Duration.ofSeconds(stopTimeoutSeconds + 30L);
        Duration configured = limit("stop");
        return wanted.compareTo(configured) < 0 ? wanted : configured;
    }

    @Override
    public void restart(Target target) {
        call(target, "restart", json.createObjectNode());
    }

    @Override
    public Health health(Target target) {
        try {
            JsonNode res = call(target, "health", json.createObjectNode());
            return new Health(
                    HealthState.valueOf(res.path("state").asText().toUpperCase(Locale.ROOT)),
                    res.path("locked").asBoolean(),
                    res.path("detail").isMissingNode()
                            ? null
                            : res.path("detail").asText());
        } catch (AgentFailure e) {
            if ("ENGINE_NOT_RUNNING".equals(e.code())) {
                return new Health(HealthState.STOPPED, e.details.path("locked").asBoolean(), e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public RoleInfo role(Target target) {
        return roleInfo(call(target, "role", json.createObjectNode()));
    }

    private static RoleInfo roleInfo(JsonNode res) {
        boolean primary = "primary".equals(res.path("role").asText());
        return new RoleInfo(
                primary,
                res.path("timeline").asLong(),
                primary ? null : res.path("replayLagBytes").asLong(),
                primary || res.path("replayLagSeconds").isNull()
                        ? null
                        : res.path("replayLagSeconds").asDouble());
    }

    @Override
    public boolean createAccount(Target target, String user, String password, int privilege) {
        ObjectNode r = json.createObjectNode();
        r.put("user", user);
        r.put("password", password);
        r.put("privilege", privilege);
        return call(target, "account-create", r).path("created").asBoolean();
    }

    @Override
    public ParamsResult updateParams(Target target, Map<String, String> params) {
        ObjectNode r = json.createObjectNode();
        r.set("params", json.valueToTree(params));
        JsonNode res = call(target, "params-update", r);
        List<String> pending = new ArrayList<>();
        res.path("pendingRestart").forEach(n -> pending.add(n.asText()));
        return new ParamsResult(res.path("reloaded").asBoolean(), pending);
    }

    @Override
    public void lockDiskFull(Target target) {
        call(target, "lock-diskfull", json.createObjectNode());
    }

    @Override
    public void unlockDiskFull(Target target) {
        call(target, "unlock-diskfull", json.createObjectNode());
    }

    @Override
    public void lockExpiry(Target target) {
        call(target, "lock-expiry", json.createObjectNode());
    }

    @Override
    public void unlockExpiry(Target target) {
        call(target, "unlock-expiry", json.createObjectNode());
    }

    @Override
    public StorageInfo growStorage(Target target, String wwid) {
        ObjectNode r = json.createObjectNode();
        putIfSet(r, "wwid", wwid);
        JsonNode res = call(target, "grow-storage", r);
        return new StorageInfo(
                res.path("grown").asBoolean(),
                res.has("totalBytes") ? res.path("totalBytes").asLong() : null,
                res.has("usableBytes") ? res.path("usableBytes").asLong() : null);
    }

    @Override
    public String createSlot(Target target, SlotType type, String custinsId, String slotUniqueName) {
        return call(target, "slot-create", slotRequest(type, custinsId, slotUniqueName))
                .path("slotName")
                .asText();
    }

    @Override
    public void removeSlot(Target target, SlotType type, String custinsId, String slotUniqueName) {
        call(target, "slot-remove", slotRequest(type, custinsId, slotUniqueName));
    }

    private ObjectNode slotRequest(SlotType type, String custinsId, String slotUniqueName) {
        ObjectNode r = json.createObjectNode();
        r.put("slotType", type.name().toLowerCase(Locale.ROOT));
        r.put("custinsId", custinsId);
        r.put("slotUniqueName", slotUniqueName);
        return r;
    }

    @Override
    public RoleInfo promote(Target target) {
        return roleInfo(call(target, "promote", json.createObjectNode()));
    }

    @Override
    public String systemIdentifier(Target target) {
        return call(target, "system-identifier", json.createObjectNode())
                .path("systemIdentifier")
                .asText();
    }

    @Override
    public WalPosition walPosition(Target target) {
        JsonNode res = call(target, "wal-position", json.createObjectNode());
        JsonNode received = res.path("received");
        return new WalPosition(
                "primary".equals(res.path("role").asText()),
                res.path("timeline").asLong(),
                res.path("replayed").asLong(),
                received.isNumber() ? received.asLong() : null);
    }

    @Override
    public void checkpoint(Target target) {
        call(target, "checkpoint", json.createObjectNode());
    }

    @Override
    public long shutdownCheckpoint(Target target) {
        JsonNode checkpoint =
                call(target, "shutdown-checkpoint", json.createObjectNode()).path("checkpoint");
        if (!checkpoint.isNumber()) {
            throw new ManagerException(
                    "AGENT_FAILED",
                    "shutdown-checkpoint on " + target + " answered without a checkpoint position",
                    null);
        }
        return checkpoint.asLong();
    }

    @Override
    public boolean follow(Target target, Primary primary, String custinsId, String slotUniqueName) {
        return call(target, "follow", upstreamRequest(primary, custinsId, slotUniqueName))
                .path("changed")
                .asBoolean();
    }

    @Override
    public boolean rejoin(Target target, Primary primary, String custinsId, String slotUniqueName) {
        return call(target, "rejoin", upstreamRequest(primary, custinsId, slotUniqueName))
                .path("rewound")
                .asBoolean();
    }

    private ObjectNode upstreamRequest(Primary primary, String custinsId, String slotUniqueName) {
        ObjectNode r = json.createObjectNode();
        putPrimary(r, primary);
        r.put("custinsId", custinsId);
        r.put("slotUniqueName", slotUniqueName);
        return r;
    }

    private static void putPrimary(ObjectNode request, Primary primary) {
        ObjectNode p = request.putObject("primary");
        p.put("host", primary.host());
        p.put("port", primary.port());
        p.put("user", primary.user());
        p.put("password", primary.password());
    }

    /** The time limit of {@code action}: configured, else the default. */
    public Duration limit(String action) {
        return timeouts.getOrDefault(action, DEFAULT_TIMEOUTS.getOrDefault(action, Duration.ofMinutes(5)));
    }

    /**
     * The longest one synchronous call of {@code action} keeps a step busy: the agent's limit and the exec's margin
     * (a background start or poll: {@link #POLL_TIMEOUT} and the margin).
     */
    public Duration worstCase(String action) {
        return limit(action).plus(EXEC_MARGIN);
    }

    /** Sends one request and returns the agent's {@code result}, or throws its error as a {@link ManagerException}. */
    JsonNode call(Target target, String action, ObjectNode request) {
        Duration timeout = limit(action);
        return call(target, action, request, UUID.randomUUID().toString(), timeout);
    }

    /**
     * {@code timeout} is the agent's limit for the action; the exec waits {@code timeout} plus a margin, except for a
     * background start or poll, which must answer within {@link #POLL_TIMEOUT}.
     */
    JsonNode call(Target target, String action, ObjectNode request, String requestId, Duration timeout) {
        boolean background = request.path("background").asBoolean();
        if (background) {
            timeout = limit(action);
        }
        request.put("flavour", target.flavour().name().toLowerCase(Locale.ROOT));
        Layout layout = target.layout();
        putIfSet(request, "dataDir", layout.dataDir());
        putIfSet(request, "logDir", layout.logDir());
        putIfSet(request, "binDir", layout.binDir());
        request.put("supervised", layout.supervised());
        request.put("timeoutSeconds", Math.max(1, timeout.toSeconds()));
        request.put("requestId", requestId);
        byte[] stdin;
        try {
            stdin = (json.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new ManagerException("INTERNAL", "cannot encode the " + action + " request for " + target, e);
        }
        List<String> argv = new ArrayList<>(agentCommand);
        argv.add(action);
        PodExec.Target where = new PodExec.Target(target.namespace(), target.pod(), CONTAINER);
        PodExec.Result result = exec(where, argv, stdin, background ? POLL_TIMEOUT : timeout.plus(EXEC_MARGIN), action);
        return parse(target, action, result);
    }

    /** One exec; a container that is not ready is a failure like any other: the step's retry waits, not this thread. */
    private PodExec.Result exec(
            PodExec.Target where, List<String> argv, byte[] stdin, Duration timeout, String action) {
        try {
            return exec.exec(where, argv, stdin, timeout);
        } catch (PodExec.ContainerNotReadyException e) {
            throw new ManagerException(
                    "CONTAINER_NOT_READY",
                    action + " on " + where + ": the container is not ready (the step retries): " + e.getMessage(),
                    e);
        } catch (PodExec.ExecException e) {
            throw new ManagerException("EXEC_FAILED", action + " on " + where + " could not run: " + e.getMessage(), e);
        }
    }

    private JsonNode parse(Target target, String action, PodExec.Result result) {
        JsonNode answer = lastJsonLine(result.stdout());
        if (answer == null) {
            throw new ManagerException(
                    "AGENT_FAILED",
                    action + " on " + target + " gave no JSON answer (exit " + result.exitCode() + "): "
                            + tail(result.stderr().isBlank() ? result.stdout() : result.stderr()),
                    null);
        }
        if (result.exitCode() == 0 && answer.path("ok").asBoolean()) {
            return answer.path("result");
        }
        JsonNode error = answer.path("error");
        throw new AgentFailure(
                error.path("code").asText("AGENT_FAILED"),
                action + " on " + target + ": " + error.path("message").asText("exit " + result.exitCode()),
                error.path("details"));
    }

    private JsonNode lastJsonLine(String stdout) {
        String[] lines = stdout.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (line.startsWith("{")) {
                try {
                    return json.readTree(line);
                } catch (JsonProcessingException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static String tail(String text) {
        String t = text.strip();
        return t.length() <= 500 ? t : "..." + t.substring(t.length() - 500);
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    /** The agent's own error answer. */
    static final class AgentFailure extends ManagerException {
        private final transient JsonNode details;

        AgentFailure(String code, String message, JsonNode details) {
            super(code, message, null);
            this.details = details;
        }
    }
}
