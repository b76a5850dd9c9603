package io.polarstack.orchestrator.agent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code manager-agent <action>}: the manager container's half of {@code ManagerClient}. Reads one JSON request on
 * stdin, writes one JSON answer on stdout ({@code {"ok":true,"result":{...}}} or
 * {@code {"ok":false,"error":{"code":...,"message":...}}}), exits 0 only on success. No Spring, no engine: it
 * starts in a fraction of a second.
 */
@Command(
        name = "manager-agent",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs one database-side action on the local engine instance.",
            "Reads one JSON request on stdin, writes one JSON result on stdout; exit status 0 only on success.",
            "Common request fields: flavour (polardb|postgresql), dataDir, logDir, binDir, socketDir, port, supervised, "
                    + "timeoutSeconds, requestId, busyWaitSeconds (mutating actions: how long to wait for another one on"
                    + " the same instance before INSTANCE_BUSY; default 10).",
            "Environment defaults: POLARSTACK_ENGINE_FLAVOUR, POLARSTACK_DATA_DIR, POLARSTACK_LOG_DIR, POLARSTACK_PG_BIN, "
                    + "POLARSTACK_SOCKET_DIR, POLARSTACK_ENGINE_SUPERVISED."
        },
        footer = {
            "",
            "Failure codes: INVALID_ARGUMENT, ENGINE_NOT_RUNNING, TIMEOUT, INSTANCE_LOCKED, NOT_SUPPORTED, COMMAND_FAILED, "
                    + "SQL_FAILED, WRONG_ROLE, NOT_INSTALLED, REWIND_FAILED, NOT_SHUT_DOWN, INSTANCE_BUSY, INTERNAL."
        })
public final class ManagerAgent implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a mutating action waits for another one of the same instance before answering INSTANCE_BUSY. */
    static final Duration DEFAULT_BUSY_WAIT = Duration.ofSeconds(10);

    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Option(
            names = "--log-file",
            paramLabel = "FILE",
            description = "the rotating log (default: $POLARSTACK_MANAGER_LOG, else <logDir>/manager.log)")
    Path logFile;

    /** Set when this process is a background run: its answer also goes to its status file there. */
    private volatile Path runLogDir;

    private final InputStream in;
    private final PrintStream out;
    private final Map<String, String> env;
    private final Mode mode;

    ManagerAgent(InputStream in, PrintStream out, Map<String, String> env, Mode mode) {
        this.in = in;
        this.out = out;
        this.env = env;
        this.mode = mode;
    }

    /**
     * How a request is served. One-shot: this process is the request (exec'd per action); a request past its deadline
     * ends the process. Resident: a request of the {@link ResidentAgent}, which ends only that request, and whose
     * background runs start the one-shot agent ({@code runCommand}, the argv up to {@code manager-agent}).
     */
    record Mode(java.util.function.IntConsumer timedOut, List<String> runCommand) {
        static final Mode ONE_SHOT = new Mode(code -> Runtime.getRuntime().halt(code), null);
    }

    /** The {@code manager-agent} command of the jar: returns the process exit status. */
    public static int run(String[] args) {
        if (args.length > 0 && ResidentAgent.COMMAND.equals(args[0])) {
            return ResidentAgent.serve(java.util.Arrays.copyOfRange(args, 1, args.length), System.getenv());
        }
        return run(args, System.in, System.out, System.getenv(), Mode.ONE_SHOT);
    }

    static int run(String[] args, InputStream in, PrintStream out, Map<String, String> env) {
        return run(args, in, out, env, Mode.ONE_SHOT);
    }

    static int run(String[] args, InputStream in, PrintStream out, Map<String, String> env, Mode mode) {
        ManagerAgent agent = new ManagerAgent(in, out, env, mode);
        CommandLine cli = new CommandLine(agent);
        for (Action action : Action.values()) {
            CommandLine sub = new CommandLine(new ActionCommand(agent, action));
            sub.getCommandSpec().usageMessage().description(action.summary());
            cli.addSubcommand(action.command(), sub);
        }
        cli.setOut(new java.io.PrintWriter(out, true));
        if (mode != Mode.ONE_SHOT) {
            cli.setErr(new java.io.PrintWriter(out, true)); // a resident request has one stream back
        }
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return ErrorCode.INVALID_ARGUMENT.exitCode();
    }

    @Command(mixinStandardHelpOptions = true)
    static final class ActionCommand implements Callable<Integer> {
        private final ManagerAgent agent;
        private final Action action;

        ActionCommand(ManagerAgent agent, Action action) {
            this.agent = agent;
            this.action = action;
        }

        @Override
        public Integer call() {
            return agent.perform(action);
        }
    }

    int perform(Action action) {
        AtomicBoolean answered = new AtomicBoolean();
        String requestId = UUID.randomUUID().toString();
        AgentLog log = null;
        Thread watchdog = null;
        long started = System.nanoTime();
        try {
            Request request = readRequest();
            requestId = request.optString("requestId", REQUEST_ID, "letters, digits and ._:- up to 128")
                    .orElse(requestId);
            Duration timeout = request.optLong("timeoutSeconds", 1, 86_400)
                    .map(Duration::ofSeconds)
                    .orElse(action.defaultTimeout());
            Deadline deadline = new Deadline(timeout);
            log = AgentLog.open(logFile(request), requestId);
            log.info("%s request %s", action.command(), request.redacted());
            Instance instance = Instance.from(request, env, log, deadline);
            if (request.bool("background", false)) {
                return startOrPoll(answered, action, requestId, request, instance, log);
            }
            if (requestId.equals(env.get(BackgroundRun.RUN_ENV))) {
                runLogDir = instance.logDir();
            }
            watchdog = startWatchdog(deadline, action, requestId, answered, log);
            Map<String, Object> result;
            if (action.mutating()) {
                Duration otherWait = request.optLong("busyWaitSeconds", 0, 3600)
                        .map(Duration::ofSeconds)
                        .orElse(DEFAULT_BUSY_WAIT);
                try (InstanceLock held = InstanceLock.take(instance, action, requestId, otherWait)) {
                    result = action.run(instance, request);
                }
            } else {
                result = action.run(instance, request);
            }
            log.info("%s succeeded in %d ms: %s", action.command(), (System.nanoTime() - started) / 1_000_000, result);
            return answer(answered, success(action, requestId, result), 0);
        } catch (AgentException e) {
            if (log != null) {
                log.error(
                        "%s failed in %d ms: %s %s",
                        action.command(), (System.nanoTime() - started) / 1_000_000, e.code(), e.getMessage());
            }
            return answer(
                    answered,
                    failure(action, requestId, e.code(), e.getMessage(), e.details()),
                    e.code().exitCode());
        } catch (RuntimeException e) {
            if (log != null) {
                log.error("%s failed: %s", action.command(), e);
            }
            return answer(
                    answered,
                    failure(
                            action,
                            requestId,
                            ErrorCode.INTERNAL,
                            action.command() + " failed unexpectedly: " + e,
                            Map.of()),
                    ErrorCode.INTERNAL.exitCode());
        } finally {
            if (watchdog != null) {
                watchdog.interrupt(); // answered: a resident agent keeps no thread per finished request
            }
        }
    }

    /**
     * {@code "background": true}: starts the action as a run of its own (unless this request id has one) and
     * answers how it is doing: {@code runState} running, or the finished run's own answer (its result with
     * {@code runState} succeeded, or its error).
     */
    private int startOrPoll(
            AtomicBoolean answered, Action action, String requestId, Request request, Instance instance, AgentLog log) {
        if (!request.has("requestId")) {
            throw AgentException.invalid("a background " + action.command() + " needs a requestId to be polled by");
        }
        if (!action.mutating()) {
            throw AgentException.invalid(action.command() + " is quick and read-only: run it without 'background'");
        }
        List<String> command = new ArrayList<>();
        if (mode.runCommand() != null) {
            command.addAll(mode.runCommand());
            command.add(action.command());
        } else {
            ProcessHandle.Info self = ProcessHandle.current().info();
            if (self.command().isEmpty() || self.arguments().isEmpty()) {
                throw new AgentException(
                        ErrorCode.NOT_SUPPORTED, "cannot tell this agent's command line to start a run");
            }
            command.add(self.command().get());
            command.addAll(List.of(self.arguments().get()));
        }
        BackgroundRun.Poll poll;
        try {
            poll = BackgroundRun.startOrPoll(action, requestId, instance.logDir(), request.raw(), command);
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL, "cannot start or read the background " + action.command() + ": " + e, e);
        }
        if (poll.running() != null) {
            log.info("%s run %s: %s", action.command(), requestId, poll.running());
            return answer(answered, success(action, requestId, poll.running()), 0);
        }
        JsonNode finished = poll.finishedAnswer();
        @SuppressWarnings("unchecked")
        Map<String, Object> body = JSON.convertValue(finished, Map.class);
        if (finished.path("ok").asBoolean()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> result =
                    new LinkedHashMap<>((Map<String, Object>) body.getOrDefault("result", Map.of()));
            result.put("runState", "succeeded");
            body.put("result", result);
            return answer(answered, body, 0);
        }
        int exit;
        try {
            exit = ErrorCode.valueOf(finished.path("error").path("code").asText())
                    .exitCode();
        } catch (IllegalArgumentException e) {
            exit = ErrorCode.INTERNAL.exitCode();
        }
        return answer(answered, body, exit);
    }

    /**
     * Reads the first JSON value on stdin and stops there: an exec channel may not be able to signal end of input
     * (Kubernetes exec over websockets before protocol v5), so the agent must not wait for EOF.
     */
    private Request readRequest() {
        try (JsonParser parser = JSON.createParser(in)) {
            if (parser.nextToken() == null) {
                return Request.empty();
            }
            return Request.of(JSON.readTree(parser));
        } catch (JsonProcessingException e) {
            throw AgentException.invalid("the request on stdin is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot read the request from stdin: " + e.getMessage(), e);
        }
    }

    private Path logFile(Request request) {
        if (logFile != null) {
            return logFile;
        }
        if (env.containsKey("POLARSTACK_MANAGER_LOG")) {
            return Path.of(env.get("POLARSTACK_MANAGER_LOG"));
        }
        Path logDir = request.optPath("logDir").orElse(Path.of(env.getOrDefault("POLARSTACK_LOG_DIR", "/log")));
        return logDir.resolve("manager.log");
    }

    /**
     * When the deadline passes: kill the children, answer TIMEOUT, and end the request (one-shot: the process), since
     * the action thread may be stuck.
     */
    private Thread startWatchdog(
            Deadline deadline, Action action, String requestId, AtomicBoolean answered, AgentLog log) {
        Thread watchdog = new Thread(
                () -> {
                    while (!deadline.passed()) {
                        try {
                            Thread.sleep(Math.max(1, deadline.remaining().toMillis()));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    // A grace period lets the action's own bounded waits report TIMEOUT with their better message.
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    deadline.killChildren();
                    String message = action.command() + " did not finish within "
                            + deadline.total().toSeconds() + " s";
                    log.error("%s", message);
                    if (answer(
                                    answered,
                                    failure(action, requestId, ErrorCode.TIMEOUT, message, Map.of()),
                                    ErrorCode.TIMEOUT.exitCode())
                            >= 0) {
                        out.flush();
                        mode.timedOut().accept(ErrorCode.TIMEOUT.exitCode());
                    }
                },
                "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return watchdog;
    }

    /** Writes the one answer; returns {@code exitCode}, or -1 when an answer was already written. */
    private int answer(AtomicBoolean answered, Map<String, Object> body, int exitCode) {
        if (!answered.compareAndSet(false, true)) {
            return -1;
        }
        if (runLogDir != null) {
            BackgroundRun.finish(runLogDir, String.valueOf(body.get("requestId")), body);
        }
        try {
            out.println(JSON.writeValueAsString(body));
            out.flush();
        } catch (JsonProcessingException e) {
            out.println("{\"ok\":false,\"error\":{\"code\":\"INTERNAL\",\"message\":\"cannot encode the result\"}}");
        }
        return exitCode;
    }

    private static Map<String, Object> success(Action action, String requestId, Map<String, Object> result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", true);
        body.put("action", action.command());
        body.put("requestId", requestId);
        body.put("result", result);
        return body;
    }

    private static Map<String, Object> failure(
            Action action, String requestId, ErrorCode code, String message, Map<String, Object> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.name());
        error.put("message", message);
        if (!details.isEmpty()) {
            error.put("details", details);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", false);
        body.put("action", action.command());
        body.put("requestId", requestId);
        body.put("error", error);
        return body;
    }
}
