package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain PostgreSQL (15): local volumes, ROs as streaming replicas configured in postgresql.conf plus
 * {@code standby.signal}.
 *
 * <p>Disk-full lock: PostgreSQL has no engine switch like PolarDB's {@code polar_force_trans_ro_non_sup}, so the
 * lock sets {@code default_transaction_read_only = on} on every non-superuser login role ({@code ALTER ROLE ... SET}),
 * records the lock in {@code <data>/ins_diskfull_lock} (accounts created while it exists get the same setting) and
 * ends those roles' sessions, so every new ordinary session starts read-only and its writes fail, while superusers
 * write as before. Unlock resets the setting on those roles. The limit of what PostgreSQL offers: a client that
 * deliberately runs {@code SET default_transaction_read_only = off} (or {@code BEGIN READ WRITE}) in its own
 * session can still write; only an engine-level switch closes that.
 */
public final class PostgresqlFlavour implements Flavour {

    static final String DISKFULL_MARKER = "ins_diskfull_lock";
    static final String ORDINARY_LOGIN_ROLES =
            "select rolname from pg_roles where rolcanlogin and not rolsuper and rolname !~ '^pg_' order by 1";
    static final String TERMINATE_ORDINARY_SESSIONS = """
            select count(pg_terminate_backend(a.pid)) from pg_stat_activity a join pg_roles r on r.oid = a.usesysid
            where not r.rolsuper and a.backend_type = 'client backend' and a.pid <> pg_backend_pid()""";
    private static final Pattern SYSTEM_ID = Pattern.compile("Database system identifier:\\s+([0-9]+)");

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public Path defaultBinDir() {
        return Path.of("/usr/lib/postgresql/15/bin");
    }

    @Override
    public String hostAuthMethod() {
        return "scram-sha-256";
    }

    @Override
    public String roleAttributes(int privilege) {
        return switch (privilege) {
            case 1 -> "NOSUPERUSER CREATEDB CREATEROLE LOGIN";
            // PostgreSQL has no polar_superuser: the nearest is a non-superuser administrator with replication.
            case 6 -> "NOSUPERUSER CREATEDB CREATEROLE REPLICATION LOGIN";
            case 7 -> "SUPERUSER LOGIN";
            case 15 -> "SUPERUSER REPLICATION LOGIN";
            default ->
                throw AgentException.invalid("request field 'privilege' " + privilege + " is not one of 1, 6, 7, 15");
        };
    }

    @Override
    public List<String> grantedRoles(int privilege) {
        return privilege == 6 ? List.of("pg_monitor", "pg_signal_backend") : List.of();
    }

    @Override
    public void initPrimary(Instance instance, InstallSpec spec) {
        if (spec.mode() == InstallSpec.Mode.SHARE) {
            throw new AgentException(
                    ErrorCode.NOT_SUPPORTED,
                    "share mode needs PolarDB's shared storage; use flavour polardb or mode local");
        }
        instance.commands().require("initdb of " + instance.dataDir(), initdb(instance));
    }

    /**
     * pg_rewind, which turns a former RW into a replica (rejoin), needs the RW to have logged hint-bit changes:
     * data checksums (initdb sets them) or wal_log_hints. wal_log_hints is set too, so a reused data directory
     * without checksums can be rewound as well; with checksums it costs nothing extra.
     */
    @Override
    public Map<String, String> instanceParams(InstallSpec spec) {
        return Map.of("wal_log_hints", "on");
    }

    @Override
    public void configureStandby(Instance instance, InstallSpec spec, ConfFile conf) {
        configureStandby(
                instance, conf, spec.primary().orElseThrow(), spec.slotName().orElseThrow());
    }

    /** Sets the standby parameters in {@code conf} (the caller writes it) and creates {@code standby.signal}. */
    static void configureStandby(Instance instance, ConfFile conf, InstallSpec.Primary primary, String slot) {
        conf.setAll(standbyParams(primary, slot));
        try {
            Files.writeString(instance.dataDir().resolve("standby.signal"), "");
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL,
                    "cannot create " + instance.dataDir().resolve("standby.signal") + ": " + e.getMessage(),
                    e);
        }
    }

    static Map<String, String> standbyParams(InstallSpec spec) {
        return standbyParams(spec.primary().orElseThrow(), spec.slotName().orElseThrow());
    }

    /** Streaming from {@code primary} through {@code slot}; PostgreSQL 13+ applies changes of these on reload. */
    static Map<String, String> standbyParams(InstallSpec.Primary primary, String slot) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("primary_conninfo", Conninfo.of(primary, slot));
        p.put("primary_slot_name", slot);
        p.put("recovery_target_timeline", "latest");
        p.put("hot_standby", "on");
        return p;
    }

    @Override
    public void initSharedReplica(Instance instance, InstallSpec spec) {
        throw new AgentException(
                ErrorCode.NOT_SUPPORTED,
                "share mode needs PolarDB's shared storage; use flavour polardb or mode local");
    }

    @Override
    public void lockDiskFull(Instance instance, Database db) {
        writeMarker(instance);
        for (Map<String, Object> row : db.query(ORDINARY_LOGIN_ROLES)) {
            db.executeFormatted(
                    "alter role " + row.get("rolname") + " set default_transaction_read_only",
                    "ALTER ROLE %I SET default_transaction_read_only = on",
                    row.get("rolname"));
        }
        Object ended = db.value(TERMINATE_ORDINARY_SESSIONS);
        instance.log().info("disk-full lock: ended %s ordinary sessions", ended);
    }

    @Override
    public void unlockDiskFull(Instance instance, Database db) {
        for (Map<String, Object> row : db.query(ORDINARY_LOGIN_ROLES)) {
            db.executeFormatted(
                    "alter role " + row.get("rolname") + " reset default_transaction_read_only",
                    "ALTER ROLE %I RESET default_transaction_read_only",
                    row.get("rolname"));
        }
        try {
            Files.deleteIfExists(instance.dataDir().resolve(DISKFULL_MARKER));
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL,
                    "cannot remove " + instance.dataDir().resolve(DISKFULL_MARKER) + ": " + e.getMessage(),
                    e);
        }
    }

    private static void writeMarker(Instance instance) {
        try {
            Files.writeString(instance.dataDir().resolve(DISKFULL_MARKER), "ordinary roles are read-only\n");
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL,
                    "cannot create " + instance.dataDir().resolve(DISKFULL_MARKER) + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public boolean diskFullLocked(Instance instance) {
        return Files.exists(instance.dataDir().resolve(DISKFULL_MARKER));
    }

    @Override
    public Map<String, Object> growStorage(Instance instance, Request request) {
        try {
            FileStore store = Files.getFileStore(instance.dataDir());
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("filesystem", store.name());
            result.put("totalBytes", store.getTotalSpace());
            result.put("usableBytes", store.getUsableSpace());
            result.put("grown", false);
            return result;
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL,
                    "cannot read the file system of " + instance.dataDir() + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public String systemIdentifier(Instance instance) {
        instance.requireInstalled();
        return parseSystemIdentifier(instance.controlData());
    }

    static String parseSystemIdentifier(String controldata) {
        Matcher m = SYSTEM_ID.matcher(controldata);
        if (!m.find()) {
            throw new AgentException(
                    ErrorCode.COMMAND_FAILED, "pg_controldata printed no 'Database system identifier' line");
        }
        return m.group(1);
    }
}
