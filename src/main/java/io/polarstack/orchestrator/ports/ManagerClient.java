package io.polarstack.orchestrator.ports;

import java.util.List;
import java.util.Map;

/**
 * The database-side actions of an instance, run by the manager agent in the instance pod's {@code manager}
 * container. One method per action; every action is idempotent, so a retried step is safe. Failures are
 * {@link ManagerException}s carrying the agent's stable code.
 */
public interface ManagerClient {

    enum Flavour {
        POLARDB,
        POSTGRESQL
    }

    /**
     * Where the instance's files are inside the manager container; null fields take the agent's defaults
     * ({@code /data}, {@code /log}, the flavour's binaries). {@code supervised}: the engine container's supervisor
     * runs the postmaster, so start only lifts the stop lock and waits.
     */
    record Layout(String dataDir, String logDir, String binDir, boolean supervised) {
        public static final Layout DEFAULT = new Layout(null, null, null, false);
    }

    record Target(String namespace, String pod, Flavour flavour, Layout layout) {
        public Target(String namespace, String pod, Flavour flavour) {
            this(namespace, pod, flavour, Layout.DEFAULT);
        }

        @Override
        public String toString() {
            return namespace + "/" + pod;
        }
    }

    enum InstanceRole {
        RW,
        RO
    }

    enum StorageMode {
        LOCAL,
        SHARE
    }

    /** The RW a local-mode RO streams from, and its replication account (privilege 15). */
    record Primary(String host, int port, String user, String password) {
        @Override
        public String toString() {
            return "Primary[" + host + ":" + port + " as " + user + "]";
        }
    }

    /**
     * What to install. {@code custinsId} and {@code slotUniqueName} name a RO's slot on the RW
     * ({@code replica_<custinsId>_<slotUniqueName>}; the orchestrator passes the RO's physicalInsId and insId, see
     * service.ReplicaSlots); {@code wwid}, {@code logicInsId} and {@code polarHostId} are for PolarDB share mode. Null
     * fields are left out of the request.
     */
    record InstallSpec(
            InstanceRole role,
            StorageMode mode,
            int port,
            String listenAddresses,
            Map<String, String> params,
            List<String> hbaCidrs,
            boolean lockInstall,
            Primary primary,
            String custinsId,
            String slotUniqueName,
            String logicInsId,
            String wwid,
            String polarHostId) {

        public static InstallSpec rw(int port) {
            return new InstallSpec(
                    InstanceRole.RW,
                    StorageMode.LOCAL,
                    port,
                    null,
                    Map.of(),
                    null,
                    false,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }

        public static InstallSpec ro(int port, Primary primary, String custinsId, String slotUniqueName) {
            return new InstallSpec(
                    InstanceRole.RO,
                    StorageMode.LOCAL,
                    port,
                    null,
                    Map.of(),
                    null,
                    false,
                    primary,
                    custinsId,
                    slotUniqueName,
                    null,
                    null,
                    null);
        }

        public InstallSpec withParams(Map<String, String> newParams) {
            return new InstallSpec(
                    role,
                    mode,
                    port,
                    listenAddresses,
                    newParams,
                    hbaCidrs,
                    lockInstall,
                    primary,
                    custinsId,
                    slotUniqueName,
                    logicInsId,
                    wwid,
                    polarHostId);
        }

        public InstallSpec withNetwork(String newListenAddresses, List<String> newHbaCidrs) {
            return new InstallSpec(
                    role,
                    mode,
                    port,
                    newListenAddresses,
                    params,
                    newHbaCidrs,
                    lockInstall,
                    primary,
                    custinsId,
                    slotUniqueName,
                    logicInsId,
                    wwid,
                    polarHostId);
        }

        public InstallSpec withLockInstall(boolean lock) {
            return new InstallSpec(
                    role,
                    mode,
                    port,
                    listenAddresses,
                    params,
                    hbaCidrs,
                    lock,
                    primary,
                    custinsId,
                    slotUniqueName,
                    logicInsId,
                    wwid,
                    polarHostId);
        }

        public InstallSpec onSharedStorage(String newWwid, String newLogicInsId, String newPolarHostId) {
            return new InstallSpec(
                    role,
                    StorageMode.SHARE,
                    port,
                    listenAddresses,
                    params,
                    hbaCidrs,
                    lockInstall,
                    primary,
                    custinsId,
                    slotUniqueName,
                    newLogicInsId,
                    newWwid,
                    newPolarHostId);
        }
    }

    record InstallResult(boolean skipped, boolean reusedDataDir, String primarySlotName, boolean locked) {}

    enum StopMode {
        SMART,
        FAST,
        IMMEDIATE
    }

    /** @param shutdownCheckpoint a clean stop's last checkpoint ({@link #shutdownCheckpoint}); null when there is none */
    record StopResult(boolean alreadyStopped, boolean escalatedToImmediate, Long shutdownCheckpoint) {}

    enum HealthState {
        RUNNING,
        STARTING,
        STOPPED
    }

    record Health(HealthState state, boolean locked, String detail) {}

    /** {@code replayLag*} are null on a primary. */
    record RoleInfo(boolean primary, long timeline, Long replayLagBytes, Double replayLagSeconds) {}

    record ParamsResult(boolean reloaded, List<String> pendingRestart) {}

    /** PolarDB: whether the PFS file system was grown; PostgreSQL: the data file system's size. */
    record StorageInfo(boolean grown, Long totalBytes, Long usableBytes) {}

    enum SlotType {
        REPLICA,
        STANDBY
    }

    InstallResult install(Target target, InstallSpec spec);

    /** Lifts the stop lock and starts; returns whether the engine was already running. */
    boolean start(Target target);

    StopResult stop(Target target, StopMode mode, int stopTimeoutSeconds);

    void restart(Target target);

    /**
     * A long action run in the background ("start, then poll"): the first call with a run id starts it, every later
     * call with that id reports on that same run instead of starting another. {@code done}: it succeeded, its result
     * fields in {@code result}; not done: still running ({@code started}: by this call). A failed or lost run throws
     * its {@link ManagerException} (code as the synchronous call's, or {@code RUN_LOST}) to every poll; a new run
     * needs a new id.
     */
    record Run(boolean done, boolean started, Map<String, String> result) {}

    /** {@link #install} as a background run. */
    Run installInBackground(Target target, InstallSpec spec, String runId);

    /** {@link #start} as a background run (a start waits until the engine accepts connections: crash recovery). */
    Run startInBackground(Target target, String runId);

    /** {@link #restart} as a background run. */
    Run restartInBackground(Target target, String runId);

    /** {@link #rejoin} as a background run; {@code result.rewound} says whether it rewound. */
    Run rejoinInBackground(Target target, Primary primary, String custinsId, String slotUniqueName, String runId);

    /** {@link #stop} as a background run. */
    Run stopInBackground(Target target, StopMode mode, int stopTimeoutSeconds, String runId);

    /** Running, starting (keep waiting) or stopped; a stopped engine is an answer, not a failure. */
    Health health(Target target);

    RoleInfo role(Target target);

    /** Creates or alters the account; returns whether it was created. The password is never logged. */
    boolean createAccount(Target target, String user, String password, int privilege);

    ParamsResult updateParams(Target target, Map<String, String> params);

    void lockDiskFull(Target target);

    void unlockDiskFull(Target target);

    void lockExpiry(Target target);

    void unlockExpiry(Target target);

    StorageInfo growStorage(Target target, String wwid);

    /**
     * Creates the slot unless it exists and returns its name: {@code replica_<custinsId>_<slotUniqueName>} ('-' as
     * '_'), or {@code standby_...}. An RO's is {@code replica_<physicalInsId>_<insId>} (service.ReplicaSlots).
     */
    String createSlot(Target target, SlotType type, String custinsId, String slotUniqueName);

    /** Drops the slot (ending a walsender that holds it); a missing slot is a no-op. */
    void removeSlot(Target target, SlotType type, String custinsId, String slotUniqueName);

    /** Promotes a replica (a primary answers at once) and returns its role with the new timeline. */
    RoleInfo promote(Target target);

    String systemIdentifier(Target target);

    /**
     * Where the instance's WAL stands, in bytes: a primary's current write position; a replica's replayed and
     * received positions ({@code received} is null on a primary or when nothing was streamed).
     */
    record WalPosition(boolean primary, long timeline, long replayed, Long received) {}

    WalPosition walPosition(Target target);

    /** Runs a checkpoint (a planned switchover does this first, so the old RW's shutdown is short). */
    void checkpoint(Target target);

    /**
     * The "Latest checkpoint location" of a cleanly stopped instance (pg_controldata); a replica has replayed
     * everything the old RW wrote once its replayed position is past it. Fails with NOT_SHUT_DOWN when the instance
     * is not cleanly shut down (running, or crashed: then WAL may follow that checkpoint).
     */
    long shutdownCheckpoint(Target target);

    /**
     * Points a running replica at a new primary (its {@code primary_conninfo} and slot
     * {@code replica_<custinsId>_<slotUniqueName>}, which is also its {@code application_name}) and reloads; returns
     * false when it already followed it through that slot.
     */
    boolean follow(Target target, Primary primary, String custinsId, String slotUniqueName);

    /**
     * Turns a former primary into a replica of {@code primary}: stops it, rewinds its data directory onto the
     * new primary's timeline when needed, writes the standby settings and starts it. Returns whether it rewound;
     * a replica already following {@code primary} is left alone. Fails with REWIND_FAILED when it cannot rejoin
     * (the instance then stays stopped under its stop lock).
     */
    boolean rejoin(Target target, Primary primary, String custinsId, String slotUniqueName);

    /** A failed action: {@code code} is the agent's stable code (INVALID_ARGUMENT, ENGINE_NOT_RUNNING, TIMEOUT, ...). */
    class ManagerException extends RuntimeException {
        private final String code;

        public ManagerException(String code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
