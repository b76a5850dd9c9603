package io.polarstack.orchestrator.agent;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start, stop, restart, the expiry lock and health. The stop lock {@code <data>/ins_lock} is the one switch both
 * this agent and the engine container's supervisor obey: {@code stop} creates it before stopping, {@code start}
 * removes it, and {@code restart} refuses to run while it exists, then stops under it too. With {@code supervised}
 * the engine container's supervisor owns the postmaster, so start only lifts the lock and waits; otherwise the agent
 * runs {@code pg_ctl}.
 */
final class Lifecycle {

    enum State {
        RUNNING,
        STARTING,
        STOPPED
    }

    enum StopMode {
        SMART,
        FAST,
        IMMEDIATE
    }

    private Lifecycle() {}

    static Map<String, Object> start(Instance instance, Request request) {
        instance.requireInstalled();
        instance.unlock();
        boolean wasRunning = probe(instance).state() == State.RUNNING;
        if (!wasRunning && !instance.supervised() && !instance.postmasterRunning()) {
            instance.commands()
                    .require(
                            "starting " + instance.dataDir(),
                            List.of(
                                    instance.bin("pg_ctl"),
                                    "start",
                                    "-D",
                                    instance.dataDir().toString(),
                                    "-l",
                                    instance.logDir().resolve("start.log").toString(),
                                    "-W"));
        }
        awaitRunning(instance);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("state", "running");
        result.put("alreadyRunning", wasRunning);
        return result;
    }

    static Map<String, Object> stop(Instance instance, Request request) {
        instance.requireInstalled();
        StopMode mode = request.choice("mode", StopMode.class, StopMode.FAST);
        long seconds = request.optLong("stopTimeoutSeconds", 1, 3600).orElse(300L);
        instance.lock();
        Map<String, Object> result = stopPostmaster(instance, mode, seconds);
        Failover.addShutdownCheckpoint(instance, result);
        return result;
    }

    /** Stops the postmaster; a stop that does not finish in time is escalated to immediate mode. */
    private static Map<String, Object> stopPostmaster(Instance instance, StopMode mode, long seconds) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("locked", instance.locked());
        if (!instance.postmasterRunning()) {
            result.put("state", "stopped");
            result.put("alreadyStopped", true);
            return result;
        }
        Duration reserve = Duration.ofSeconds(15);
        Duration budget = instance.deadline().remaining().minus(reserve);
        long wait = Math.max(1, Math.min(seconds, budget.toSeconds()));
        Commands.Result r =
                instance.commands().run(pgCtlStop(instance, mode, wait), Map.of(), Duration.ofSeconds(wait + 5));
        boolean escalated = false;
        if (!r.ok() && instance.postmasterRunning()) {
            instance.log().warn("stop in %s mode did not finish in %d s; escalating to immediate", mode, wait);
            escalated = true;
            instance.commands()
                    .require("immediate stop of " + instance.dataDir(), pgCtlStop(instance, StopMode.IMMEDIATE, 10));
        }
        result.put("state", "stopped");
        result.put("alreadyStopped", false);
        result.put("escalatedToImmediate", escalated);
        return result;
    }

    static List<String> pgCtlStop(Instance instance, StopMode mode, long seconds) {
        return List.of(
                instance.bin("pg_ctl"),
                "stop",
                "-D",
                instance.dataDir().toString(),
                "-m",
                mode.name().toLowerCase(),
                "-t",
                Long.toString(seconds),
                "-w");
    }

    static Map<String, Object> restart(Instance instance, Request request) {
        instance.requireInstalled();
        if (instance.locked()) {
            throw new AgentException(
                    ErrorCode.INSTANCE_LOCKED,
                    "instance " + instance.dataDir() + " is locked by " + instance.lockFile()
                            + " (stopped or expired); run start to unlock and start it");
        }
        StopMode mode = request.choice("mode", StopMode.class, StopMode.FAST);
        // Stopped under the lock: else a supervisor starts a new postmaster at once, and pg_ctl stop -w waits out its
        // whole timeout on that one. start below lifts the lock; a failed stop lifts it too, leaving things as they
        // were.
        instance.lock();
        try {
            stopPostmaster(
                    instance,
                    mode,
                    request.optLong("stopTimeoutSeconds", 1, 3600).orElse(300L));
        } catch (RuntimeException e) {
            instance.unlock();
            throw e;
        }
        Map<String, Object> result = start(instance, request);
        result.put("restarted", true);
        return result;
    }

    static Map<String, Object> lockExpiry(Instance instance, Request request) {
        Map<String, Object> result = stop(instance, request);
        result.put("expiryLocked", true);
        return result;
    }

    static Map<String, Object> unlockExpiry(Instance instance, Request request) {
        Map<String, Object> result = start(instance, request);
        result.put("expiryLocked", false);
        return result;
    }

    /**
     * {@code health}: running (select 1 answered) and starting (the server says it is starting up or replaying
     * towards consistency; keep waiting) succeed; anything else is {@code ENGINE_NOT_RUNNING}.
     */
    static Map<String, Object> health(Instance instance, Request request) {
        instance.requireInstalled();
        Probe p = probe(instance);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("state", p.state().name().toLowerCase());
        result.put("locked", instance.locked());
        if (p.state() == State.STOPPED) {
            boolean postmaster = instance.postmasterRunning();
            throw new AgentException(
                    ErrorCode.ENGINE_NOT_RUNNING,
                    "instance " + instance.dataDir() + " on port " + instance.port() + " is not running: " + p.detail()
                            + (instance.locked() ? " (locked by " + instance.lockFile() + "; run start)" : ""),
                    Map.of("state", "stopped", "locked", instance.locked(), "postmasterRunning", postmaster),
                    null);
        }
        if (p.detail() != null) {
            result.put("detail", p.detail());
        }
        return result;
    }

    record Probe(State state, String detail) {}

    static Probe probe(Instance instance) {
        try (Connection c = Database.connect(instance);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(Database.MARK + "select 1")) {
            rs.next();
            return new Probe(State.RUNNING, null);
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            if (Database.CANNOT_CONNECT_NOW.equals(e.getSQLState()) && !message.contains("shutting down")) {
                return new Probe(State.STARTING, message);
            }
            return new Probe(State.STOPPED, message);
        }
    }

    /** Waits until the engine answers; "starting" keeps us waiting, a postmaster that died ends the wait at once. */
    static void awaitRunning(Instance instance) {
        int polls = 0;
        while (true) {
            Probe p = probe(instance);
            if (p.state() == State.RUNNING) {
                return;
            }
            if (p.state() == State.STOPPED
                    && !instance.supervised()
                    && ++polls % 5 == 0
                    && !instance.postmasterRunning()) {
                throw new AgentException(
                        ErrorCode.COMMAND_FAILED,
                        "the engine in " + instance.dataDir() + " exited while starting; see "
                                + instance.logDir().resolve("start.log"));
            }
            instance.deadline()
                    .pause(100, "instance " + instance.dataDir() + " to accept connections (last: " + p.detail() + ")");
        }
    }
}
