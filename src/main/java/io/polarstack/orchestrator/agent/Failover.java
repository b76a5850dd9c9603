package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The failover actions (PostgreSQL streaming replication): where an instance's WAL stands, a checkpoint, the old
 * RW's shutdown checkpoint, pointing a replica at the new RW ({@code follow}) and turning a former RW into a
 * replica of it ({@code rejoin}, with pg_rewind). The flavour refuses what does not apply to it
 * ({@link Flavour#checkFailoverAction}). LSNs are reported as byte offsets ({@code lsn - '0/0'}) and as text.
 */
final class Failover {

    /**
     * The timeline of a primary is that of its current WAL file (pg_control's checkpoint timeline lags behind a
     * promote until the next checkpoint). PostgreSQL 15 does not expose a replica's replay timeline, so a replica
     * reports the timeline of the WAL its walreceiver last received while one runs, else that of its last
     * restartpoint; positions on one timeline history are comparable either way.
     */
    static final String WAL_POSITION_SQL = """
            select pg_is_in_recovery() as in_recovery,
                   case when pg_is_in_recovery()
                        then coalesce((select nullif(received_tli, 0) from pg_stat_wal_receiver),
                                      (select timeline_id from pg_control_checkpoint()))
                        else ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int end as timeline,
                   (coalesce(case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end, '0/0')
                        - '0/0'::pg_lsn)::bigint as replayed,
                   ((case when pg_is_in_recovery() then pg_last_wal_receive_lsn() end) - '0/0'::pg_lsn)::bigint as received""";

    /** Who a server is: compared before a rejoin so an instance is never told to rejoin itself. */
    static final String IDENTITY_SQL = """
            select pg_is_in_recovery() as in_recovery, pg_postmaster_start_time()::text as started,
                   (select system_identifier from pg_control_system())::text as system_id,
                   (select timeline_id from pg_control_checkpoint()) as checkpoint_timeline,
                   case when not pg_is_in_recovery()
                        then ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int end as timeline""";

    static final String STREAMING_SQL =
            "select 1 from pg_stat_wal_receiver where status = 'streaming' and sender_host = ? and sender_port = ?";

    /**
     * Files that belong to the instance, not to the cluster. pg_rewind copies the source's versions over them or
     * deletes them (it deletes every file the source lacks), so rejoin saves them first and puts them back.
     */
    static final List<String> INSTANCE_OWN_FILES = List.of(
            "postgresql.conf",
            "postgresql.auto.conf",
            "pg_hba.conf",
            "pg_ident.conf",
            Install.DONE_MARKER,
            "ins_ctx",
            "ins_logic_id",
            PostgresqlFlavour.DISKFULL_MARKER);

    static final String SAVED_DIR = "rejoin-saved";
    private static final String SAVED_COMPLETE = ".complete";

    private static final Pattern CLUSTER_STATE = Pattern.compile("(?m)^Database cluster state:\\s+(.+?)\\s*$");
    private static final Pattern CHECKPOINT_LOCATION =
            Pattern.compile("(?m)^Latest checkpoint location:\\s+([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})\\s*$");
    private static final Pattern CHECKPOINT_TIMELINE =
            Pattern.compile("(?m)^Latest checkpoint's TimeLineID:\\s+([0-9]+)\\s*$");

    private Failover() {}

    /** {@code wal-position}: role, timeline, replayed (a primary's current write position) and received (replicas). */
    static Map<String, Object> walPosition(Instance instance, Request request) {
        try (Database db = Database.open(instance)) {
            Map<String, Object> row = db.query(WAL_POSITION_SQL).get(0);
            boolean replica = (Boolean) row.get("in_recovery");
            long replayed = ((Number) row.get("replayed")).longValue();
            Long received = row.get("received") == null ? null : ((Number) row.get("received")).longValue();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("role", replica ? "replica" : "primary");
            result.put("timeline", ((Number) row.get("timeline")).longValue());
            result.put("replayed", replayed);
            result.put("replayedLsn", lsn(replayed));
            result.put("received", received);
            result.put("receivedLsn", received == null ? null : lsn(received));
            return result;
        }
    }

    /** {@code checkpoint}: CHECKPOINT (a restartpoint on a replica); reports the redo position it recorded. */
    static Map<String, Object> checkpoint(Instance instance, Request request) {
        try (Database db = Database.open(instance)) {
            db.execute("checkpoint");
            long redo = ((Number) db.value("select (redo_lsn - '0/0'::pg_lsn)::bigint from pg_control_checkpoint()"))
                    .longValue();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("checkpointed", true);
            result.put("redo", redo);
            result.put("redoLsn", lsn(redo));
            return result;
        }
    }

    /**
     * {@code shutdown-checkpoint}: the "Latest checkpoint location" of a cleanly stopped instance. After a clean
     * stop that record is the last the instance wrote, so a replica that replayed past it has everything.
     */
    static Map<String, Object> shutdownCheckpoint(Instance instance, Request request) {
        instance.requireInstalled();
        instance.flavour().checkFailoverAction(instance, Action.SHUTDOWN_CHECKPOINT);
        ControlData control = controlData(instance);
        if (!control.shutDown()) {
            String hint = instance.postmasterRunning()
                    ? "it is running; stop it first"
                    : "it was not stopped cleanly (crashed or killed), so WAL may follow that checkpoint; rejoin it with a rewind instead";
            throw new AgentException(
                    ErrorCode.NOT_SHUT_DOWN,
                    "instance " + instance.dataDir() + " is not shut down (pg_controldata: '" + control.state() + "'): "
                            + hint,
                    Map.of("state", control.state()),
                    null);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("state", control.state());
        putCheckpoint(result, control);
        return result;
    }

    /**
     * Adds the shutdown checkpoint to a stop's answer when the instance is cleanly shut down and the flavour has one,
     * so a switchover needs no second call for it while writes are stopped.
     */
    static void addShutdownCheckpoint(Instance instance, Map<String, Object> result) {
        try {
            instance.flavour().checkFailoverAction(instance, Action.SHUTDOWN_CHECKPOINT);
        } catch (AgentException notApplicable) {
            return;
        }
        try {
            ControlData control = controlData(instance);
            if (control.shutDown()) {
                putCheckpoint(result, control);
            }
        } catch (AgentException e) {
            // The stop itself succeeded; whoever needs the checkpoint asks shutdown-checkpoint and gets this error.
            instance.log().warn("no shutdown checkpoint in the stop's answer: %s", e.getMessage());
        }
    }

    private static void putCheckpoint(Map<String, Object> result, ControlData control) {
        result.put("checkpoint", control.checkpoint());
        result.put("checkpointLsn", lsn(control.checkpoint()));
        result.put("timeline", control.timeline());
    }

    private static ControlData controlData(Instance instance) {
        return ControlData.parse(instance.controlData());
    }

    /** The pg_controldata lines the failover needs (the agent runs it with LC_ALL=C, so the labels are English). */
    record ControlData(String state, long checkpoint, long timeline) {

        static ControlData parse(String text) {
            Matcher state = CLUSTER_STATE.matcher(text);
            Matcher location = CHECKPOINT_LOCATION.matcher(text);
            Matcher timeline = CHECKPOINT_TIMELINE.matcher(text);
            if (!state.find() || !location.find() || !timeline.find()) {
                throw new AgentException(
                        ErrorCode.COMMAND_FAILED,
                        "pg_controldata printed no 'Database cluster state', 'Latest checkpoint "
                                + "location' or 'Latest checkpoint's TimeLineID' line: " + Commands.tail(text.strip()));
            }
            return new ControlData(
                    state.group(1),
                    Long.parseLong(location.group(1), 16) << 32 | Long.parseLong(location.group(2), 16),
                    Long.parseLong(timeline.group(1)));
        }

        boolean shutDown() {
            return state.equals("shut down") || state.equals("shut down in recovery");
        }
    }

    /** The new primary and the slot a replica streams through, from a follow or rejoin request. */
    record Upstream(InstallSpec.Primary primary, String slot) {

        static Upstream from(Request request) {
            InstallSpec.Primary primary = InstallSpec.primary(request.object("primary"));
            return new Upstream(
                    primary,
                    SlotNames.name(
                            SlotNames.Type.REPLICA, request.string("custinsId"), request.string("slotUniqueName")));
        }

        Map<String, String> params() {
            return PostgresqlFlavour.standbyParams(primary, slot);
        }

        /** Whether postgresql.conf already says exactly this. */
        boolean configuredIn(ConfFile conf) {
            return params().entrySet().stream()
                    .allMatch(
                            e -> conf.get(e.getKey()).map(e.getValue()::equals).orElse(false));
        }

        String address() {
            return primary.host() + ":" + primary.port();
        }
    }

    /**
     * {@code follow}: points a running replica at {@code primary} through {@code slot}. PostgreSQL 13+ restarts
     * the walreceiver when primary_conninfo or primary_slot_name change on reload, so no restart is needed. Then it
     * waits (up to {@code streamWaitSeconds}, default 30, within the time limit) to see it stream from there.
     */
    static Map<String, Object> follow(Instance instance, Request request) {
        Upstream upstream = Upstream.from(request);
        long streamWait = request.optLong("streamWaitSeconds", 0, 3600).orElse(30L);
        instance.requireInstalled();
        instance.flavour().checkFailoverAction(instance, Action.FOLLOW);
        try (Database db = Database.open(instance)) {
            if (!(Boolean) db.value("select pg_is_in_recovery()")) {
                throw new AgentException(
                        ErrorCode.WRONG_ROLE,
                        "follow needs a replica; instance " + instance.dataDir()
                                + " is a primary (rejoin turns a former primary into a replica)");
            }
            ConfFile conf = ConfFile.read(instance.conf());
            boolean changed = !upstream.configuredIn(conf);
            if (changed) {
                conf.setAll(upstream.params());
                conf.write(instance.conf());
                SqlActions.resetAutoConf(instance, db, upstream.params());
                SqlActions.reload(instance, db);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("changed", changed);
            result.put("primary", upstream.address());
            result.put("slotName", upstream.slot());
            result.put("streaming", awaitStreaming(instance, db, upstream, streamWait));
            return result;
        }
    }

    /**
     * {@code rejoin}: makes a former primary a replica of {@code primary}. A running replica that already streams
     * from it through the slot is left alone. Otherwise: check the new primary (reachable, a primary, not this
     * instance), stop under the stop lock, rewind when the histories diverged, write the standby settings and
     * start (the lock is lifted only by that start, so the supervisor keeps the engine down until then).
     */
    static Map<String, Object> rejoin(Instance instance, Request request) {
        Upstream upstream = Upstream.from(request);
        long streamWait = request.optLong("streamWaitSeconds", 0, 3600).orElse(30L);
        instance.requireInstalled();
        instance.flavour().checkFailoverAction(instance, Action.REJOIN);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("primary", upstream.address());
        result.put("slotName", upstream.slot());
        if (following(instance, upstream)) {
            result.put("changed", false);
            result.put("rewound", false);
            result.put("streaming", true);
            return result;
        }
        checkNewPrimary(instance, upstream.primary());
        Lifecycle.stop(instance, request);
        finishCrashRecovery(instance);
        boolean rewound = rewind(instance, upstream.primary());
        ConfFile conf = ConfFile.read(instance.conf());
        PostgresqlFlavour.configureStandby(instance, conf, upstream.primary(), upstream.slot());
        conf.write(instance.conf());
        Lifecycle.start(instance, request);
        try (Database db = Database.open(instance)) {
            if (!(Boolean) db.value("select pg_is_in_recovery()")) {
                throw new AgentException(
                        ErrorCode.INTERNAL,
                        "instance " + instance.dataDir() + " started as a primary although "
                                + "standby.signal exists; check "
                                + instance.logDir().resolve("pg_log"));
            }
            result.put("changed", true);
            result.put("rewound", rewound);
            result.put("streaming", awaitStreaming(instance, db, upstream, streamWait));
        }
        return result;
    }

    /** A running replica configured for {@code upstream} that streams from it (given a few seconds to reconnect). */
    private static boolean following(Instance instance, Upstream upstream) {
        if (Lifecycle.probe(instance).state() != Lifecycle.State.RUNNING) {
            return false;
        }
        try (Database db = Database.open(instance)) {
            return (Boolean) db.value("select pg_is_in_recovery()")
                    && upstream.configuredIn(ConfFile.read(instance.conf()))
                    && awaitStreaming(instance, db, upstream, 10);
        }
    }

    /** Waits up to {@code seconds} (leaving time to answer) for the walreceiver to stream from the upstream. */
    private static boolean awaitStreaming(Instance instance, Database db, Upstream upstream, long seconds) {
        long end = System.nanoTime()
                + Math.min(
                                seconds * 1000,
                                Math.max(0, instance.deadline().remaining().toMillis() - 5000))
                        * 1_000_000;
        while (true) {
            if (db.exists(
                    STREAMING_SQL, upstream.primary().host(), upstream.primary().port())) {
                return true;
            }
            if (System.nanoTime() >= end) {
                instance.log().warn("not streaming from %s yet", upstream.address());
                return false;
            }
            instance.deadline().pause(200, "streaming from " + upstream.address());
        }
    }

    /**
     * Before the old RW is touched: the new primary must answer, be a primary and not be this very instance.
     * pg_rewind 15 reads the source's timeline from its pg_control, which keeps the old timeline after a promote
     * until the next checkpoint; it would then find nothing to rewind. So a fresh primary is checkpointed first.
     */
    static void checkNewPrimary(Instance instance, InstallSpec.Primary primary) {
        Properties props = new Properties();
        props.setProperty("user", primary.user());
        props.setProperty("password", primary.password());
        props.setProperty("ApplicationName", "polarstack-manager");
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "15");
        props.setProperty("gssEncMode", "disable");
        String host = primary.host().contains(":") ? "[" + primary.host() + "]" : primary.host();
        String address = primary.host() + ":" + primary.port();
        Map<String, Object> source;
        try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://" + host + ":" + primary.port() + "/postgres", props);
                Statement st = c.createStatement()) {
            source = identity(st);
            if ((Boolean) source.get("in_recovery")) {
                throw new AgentException(
                        ErrorCode.WRONG_ROLE,
                        "the primary to rejoin, " + address + ", is itself a replica; nothing was changed");
            }
            if (!source.get("timeline").equals(source.get("checkpoint_timeline"))) {
                instance.log()
                        .info(
                                "checkpoint on %s: its pg_control still has timeline %s, it writes on %s",
                                address, source.get("checkpoint_timeline"), source.get("timeline"));
                st.execute(Database.MARK + "checkpoint");
            }
        } catch (SQLException e) {
            throw new AgentException(
                    ErrorCode.REWIND_FAILED,
                    "cannot reach the primary " + address + " as " + primary.user() + ": " + e.getMessage()
                            + "; nothing was changed",
                    Map.of("dataDirChanged", false),
                    e);
        }
        if (Lifecycle.probe(instance).state() == Lifecycle.State.RUNNING) {
            try (Database db = Database.open(instance)) {
                Map<String, Object> self = db.query(IDENTITY_SQL).get(0);
                if (self.get("started").equals(source.get("started"))
                        && self.get("system_id").equals(source.get("system_id"))) {
                    throw AgentException.invalid(
                            "the primary to rejoin, " + address + ", is this instance itself; nothing was changed");
                }
            }
        }
    }

    private static Map<String, Object> identity(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery(Database.MARK + IDENTITY_SQL)) {
            rs.next();
            Map<String, Object> row = new LinkedHashMap<>();
            for (String column : List.of("in_recovery", "started", "system_id", "checkpoint_timeline", "timeline")) {
                row.put(column, rs.getObject(column));
            }
            return row;
        }
    }

    /**
     * pg_rewind needs a cleanly shut down target; a killed or immediately stopped old RW is not. Single-user mode
     * (no connections, so it cannot take writes from anyone) replays its WAL to a consistent state and shuts down
     * with a checkpoint, as Patroni does before it rewinds.
     */
    static void finishCrashRecovery(Instance instance) {
        ControlData control = controlData(instance);
        if (control.shutDown()) {
            return;
        }
        instance.log()
                .info(
                        "rejoin: %s was not shut down cleanly ('%s'); crash recovery in single-user mode",
                        instance.dataDir(), control.state());
        instance.commands()
                .require(
                        "crash recovery of " + instance.dataDir() + " in single-user mode",
                        List.of(
                                instance.bin("postgres"),
                                "--single",
                                "-D",
                                instance.dataDir().toString(),
                                "-c",
                                "archive_mode=off",
                                "postgres"));
    }

    /**
     * Rewinds the stopped instance onto the primary's history; returns false when pg_rewind finds nothing to do.
     * A dry run goes first: it fails on the same problems (no wal_log_hints or checksums, missing WAL, a source that
     * keeps its unix socket among its data files, which pg_rewind 15 cannot copy) without changing anything, so
     * most failures leave the data directory as it was. The password reaches pg_rewind only through PGPASSWORD.
     */
    static boolean rewind(Instance instance, InstallSpec.Primary primary) {
        Map<String, String> env = Map.of("PGPASSWORD", primary.password(), "PGCONNECT_TIMEOUT", "10");
        saveOwnFiles(instance);
        // pg_rewind stops at a symlink it cannot follow ("log" -> the log volume): set it aside meanwhile.
        Path logLink = instance.dataDir().resolve("log");
        Path logTarget = readLink(logLink);
        try {
            if (logTarget != null) {
                Files.delete(logLink);
            }
            Commands.Result dry = instance.commands()
                    .run(
                            rewindArgv(instance, primary, true),
                            env,
                            instance.deadline().remaining());
            if (!dry.ok()) {
                throw rewindFailed(instance, dry, false);
            }
            if (dry.output().contains("no rewind required")) {
                return false;
            }
            Commands.Result real;
            Thread guard = keepLocked(instance);
            try {
                real = instance.commands()
                        .run(
                                rewindArgv(instance, primary, false),
                                env,
                                instance.deadline().remaining());
            } finally {
                guard.interrupt();
                join(guard);
                instance.lock();
            }
            if (!real.ok()) {
                throw rewindFailed(instance, real, true);
            }
            return true;
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot set aside " + logLink + ": " + e.getMessage(), e);
        } finally {
            restoreOwnFiles(instance);
            if (logTarget != null) {
                relink(logLink, logTarget);
            }
        }
    }

    static List<String> rewindArgv(Instance instance, InstallSpec.Primary primary, boolean dryRun) {
        List<String> argv = new java.util.ArrayList<>(List.of(
                instance.bin("pg_rewind"),
                "--target-pgdata=" + instance.dataDir(),
                "--source-server=" + Conninfo.withoutPassword(primary, "postgres")));
        if (dryRun) {
            argv.add("--dry-run");
        }
        return argv;
    }

    private static AgentException rewindFailed(Instance instance, Commands.Result r, boolean changed) {
        String hint = r.stderr().contains(".s.PGSQL.")
                ? "; the primary keeps its unix socket in its data directory, which pg_rewind cannot copy: give instances a socket "
                        + "directory outside it (POLARSTACK_SOCKET_DIR), or rebuild this instance as a RO (install)"
                : "";
        String state = changed
                ? "; the data directory is partly rewound: rebuild this instance as a RO (install)"
                : "; the data directory was not changed";
        return new AgentException(
                ErrorCode.REWIND_FAILED,
                "pg_rewind of " + instance.dataDir() + " failed (exit " + r.exitCode() + "): "
                        + Commands.tail(r.stderr().strip()) + hint + state + "; it stays stopped and locked",
                Map.of("exitCode", r.exitCode(), "dataDirChanged", changed),
                null);
    }

    /**
     * pg_rewind deletes the stop lock (the source has none) long before it finishes; without the lock the engine
     * container's supervisor would start postgres on a half-rewound directory. Put it back at once, every few ms.
     */
    private static Thread keepLocked(Instance instance) {
        Thread guard = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            instance.lock();
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        } catch (AgentException e) {
                            instance.log().warn("%s", e.getMessage());
                        }
                    }
                },
                "stop-lock-guard");
        guard.setDaemon(true);
        guard.start();
        return guard;
    }

    /** Copies the instance's own files to the log directory; an earlier, interrupted rejoin's copies win. */
    private static void saveOwnFiles(Instance instance) {
        Path saved = instance.logDir().resolve(SAVED_DIR);
        try {
            if (Files.exists(saved.resolve(SAVED_COMPLETE))) {
                return;
            }
            deleteTree(saved);
            Files.createDirectories(saved);
            for (String name : INSTANCE_OWN_FILES) {
                Path file = instance.dataDir().resolve(name);
                if (Files.exists(file)) {
                    Files.copy(file, saved.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            Files.writeString(saved.resolve(SAVED_COMPLETE), "");
        } catch (IOException | UncheckedIOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL, "cannot save the instance's files to " + saved + ": " + e.getMessage(), e);
        }
    }

    private static void restoreOwnFiles(Instance instance) {
        Path saved = instance.logDir().resolve(SAVED_DIR);
        try {
            for (String name : INSTANCE_OWN_FILES) {
                Path file = instance.dataDir().resolve(name);
                if (Files.exists(saved.resolve(name))) {
                    Files.copy(
                            saved.resolve(name),
                            file,
                            StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.COPY_ATTRIBUTES);
                } else {
                    Files.deleteIfExists(file);
                }
            }
            deleteTree(saved);
        } catch (IOException | UncheckedIOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL,
                    "cannot put back the instance's files from " + saved + ": " + e.getMessage(),
                    e);
        }
    }

    /** A new install makes what an interrupted rejoin saved stale. */
    static void discardSavedFiles(Instance instance) {
        try {
            deleteTree(instance.logDir().resolve(SAVED_DIR));
        } catch (IOException | UncheckedIOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL,
                    "cannot remove " + instance.logDir().resolve(SAVED_DIR) + ": " + e.getMessage(),
                    e);
        }
    }

    private static Path readLink(Path link) {
        try {
            return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link) : null;
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot read the link " + link + ": " + e.getMessage(), e);
        }
    }

    /** Puts the link back; a real rewind leaves a directory there holding copies of the source's log files. */
    private static void relink(Path link, Path target) {
        try {
            if (!Files.isSymbolicLink(link)) {
                deleteTree(link);
                Files.createSymbolicLink(link, target);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL, "cannot link " + link + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An LSN as PostgreSQL prints it. */
    static String lsn(long bytes) {
        return String.format("%X/%X", bytes >>> 32, bytes & 0xffffffffL);
    }
}
