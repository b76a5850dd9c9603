package io.polarstack.orchestrator.agent;

import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;

/** Every action of the agent: its command name, what it does, its default time limit and its implementation. */
public enum Action {
    INSTALL(
            "install",
            "prepare the data directory: RW initdb or reuse, RO base backup (local) or PolarDB copy (share)",
            600,
            Install::run),
    START("start", "remove the stop lock, start the engine, wait until it accepts connections", 300, Lifecycle::start),
    STOP(
            "stop",
            "create the stop lock, pg_ctl stop (mode, timeout), escalate to immediate; report a clean stop's checkpoint",
            330,
            Lifecycle::stop),
    RESTART("restart", "stop and start again; refused while the stop lock exists", 600, Lifecycle::restart),
    HEALTH(
            "health",
            "connect and select 1: running, starting (keep waiting) or ENGINE_NOT_RUNNING",
            15,
            Lifecycle::health),
    ROLE("role", "primary or replica, timeline, replay lag in bytes and seconds", 15, SqlActions::role),
    ACCOUNT_CREATE(
            "account-create", "create or alter a login role (privilege 1, 6, 7 or 15)", 60, SqlActions::accountCreate),
    PARAMS_UPDATE(
            "params-update",
            "rewrite the given postgresql.conf keys, reload, report pending restarts",
            60,
            SqlActions::paramsUpdate),
    LOCK_DISKFULL(
            "lock-diskfull",
            "ordinary users read-only, superusers still write; end ordinary sessions",
            60,
            SqlActions::lockDiskFull),
    UNLOCK_DISKFULL("unlock-diskfull", "lift the disk-full lock", 60, SqlActions::unlockDiskFull),
    LOCK_EXPIRY(
            "lock-expiry",
            "create the stop lock and stop: the instance stays down until unlocked",
            330,
            Lifecycle::lockExpiry),
    UNLOCK_EXPIRY("unlock-expiry", "remove the stop lock and start", 300, Lifecycle::unlockExpiry),
    GROW_STORAGE(
            "grow-storage",
            "polardb: grow the PFS file system on the LUN; postgresql: report the file system size",
            60,
            SqlActions::growStorage),
    SLOT_CREATE(
            "slot-create",
            "create the physical slot replica_<custinsId>_<slotUniqueName> (an RO's: replica_<physicalInsId>_<insId>;"
                    + " or standby_...)",
            30,
            SqlActions::slotCreate),
    SLOT_REMOVE("slot-remove", "drop that slot, ending the walsender that holds it", 30, SqlActions::slotRemove),
    PROMOTE(
            "promote",
            "make a replica the primary; wait until out of recovery, report the new timeline",
            120,
            SqlActions::promote),
    SYSTEM_IDENTIFIER(
            "system-identifier",
            "the cluster's system identifier from pg_controldata",
            30,
            SqlActions::systemIdentifier),
    WAL_POSITION(
            "wal-position",
            "role, timeline and WAL position in bytes: a primary's write position, a replica's replayed and received",
            15,
            Failover::walPosition),
    CHECKPOINT(
            "checkpoint",
            "run a checkpoint (a restartpoint on a replica) and report its redo position",
            300,
            Failover::checkpoint),
    SHUTDOWN_CHECKPOINT(
            "shutdown-checkpoint",
            "the latest checkpoint location of a cleanly stopped instance (pg_controldata), " + "else NOT_SHUT_DOWN",
            30,
            Failover::shutdownCheckpoint),
    FOLLOW(
            "follow",
            "point a running replica at a new primary and slot, reload, wait until it streams from there",
            60,
            Failover::follow),
    REJOIN(
            "rejoin",
            "make a former primary a replica of the new primary: stop, pg_rewind if diverged, standby settings, start",
            600,
            Failover::rejoin);

    private final String command;
    private final String summary;
    private final Duration defaultTimeout;
    private final BiFunction<Instance, Request, Map<String, Object>> handler;
    /** Reads only: runs beside anything. Every other action takes the instance's lock ({@link InstanceLock}). */
    private static final java.util.Set<String> READ_ONLY = java.util.Set.of(
            "health", "role", "system-identifier", "wal-position", "shutdown-checkpoint", "checkpoint");

    Action(
            String command,
            String summary,
            int defaultTimeoutSeconds,
            BiFunction<Instance, Request, Map<String, Object>> handler) {
        this.command = command;
        this.summary = summary;
        this.defaultTimeout = Duration.ofSeconds(defaultTimeoutSeconds);
        this.handler = handler;
    }

    public String command() {
        return command;
    }

    public String summary() {
        return summary;
    }

    /** Changes the instance (files, engine state, roles, slots): one such action per instance at a time. */
    public boolean mutating() {
        return !READ_ONLY.contains(command);
    }

    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    Map<String, Object> run(Instance instance, Request request) {
        return handler.apply(instance, request);
    }
}
