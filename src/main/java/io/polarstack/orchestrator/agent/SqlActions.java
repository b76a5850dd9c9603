package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The actions that work through a session on the running engine. */
final class SqlActions {

    /** Session defaults of superuser accounts, as the original manager sets them. Constant SQL. */
    static final List<String> SUPERUSER_DEFAULTS = List.of(
            "timezone = 'UTC'",
            "datestyle = 'ISO,YMD'",
            "extra_float_digits = 0",
            "lock_timeout = 0",
            "statement_timeout = 0",
            "temp_file_limit = 10000000",
            "idle_in_transaction_session_timeout = 3600000");

    static final String ROLE_SQL = """
            select pg_is_in_recovery() as in_recovery,
                   case when pg_is_in_recovery()
                        then coalesce((select received_tli from pg_stat_wal_receiver), (select timeline_id from pg_control_checkpoint()))
                        else ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int end as timeline,
                   case when pg_is_in_recovery()
                        then coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0) end as replay_lag_bytes,
                   case when pg_is_in_recovery()
                        then case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                                  else extract(epoch from now() - pg_last_xact_replay_timestamp()) end end as replay_lag_seconds""";

    private SqlActions() {}

    static Map<String, Object> role(Instance instance, Request request) {
        try (Database db = Database.open(instance)) {
            Map<String, Object> row = db.query(ROLE_SQL).get(0);
            boolean replica = (Boolean) row.get("in_recovery");
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("role", replica ? "replica" : "primary");
            result.put("timeline", ((Number) row.get("timeline")).longValue());
            if (replica) {
                result.put(
                        "replayLagBytes",
                        row.get("replay_lag_bytes") == null ? 0 : ((Number) row.get("replay_lag_bytes")).longValue());
                Object seconds = row.get("replay_lag_seconds");
                result.put("replayLagSeconds", seconds == null ? null : ((Number) seconds).doubleValue());
            }
            return result;
        }
    }

    static Map<String, Object> accountCreate(Instance instance, Request request) {
        String user = request.string(
                "user", InstallSpec.ROLE_NAME, "letters, digits and '_', not starting with a digit or pg_, at most 63");
        String password = request.string("password", InstallSpec.PASSWORD, "1 to 1024 characters, no NUL");
        int privilege = (int) request.longValue("privilege", 0, 1000);
        Flavour flavour = instance.flavour();
        String attributes = flavour.roleAttributes(privilege);
        try (Database db = Database.open(instance)) {
            requirePrimary(instance, db, "account-create");
            boolean exists = db.exists("select 1 from pg_roles where rolname = ?", user);
            // The verifier, never the password: the statement text is what pg_stat_statements and the log keep.
            db.executeFormatted(
                    (exists ? "alter" : "create") + " role " + user,
                    (exists ? "ALTER ROLE %I WITH " : "CREATE ROLE %I WITH ") + attributes + " PASSWORD %L",
                    user,
                    ScramVerifier.of(password));
            for (String granted : flavour.grantedRoles(privilege)) {
                db.executeFormatted("grant " + granted + " to " + user, "GRANT " + granted + " TO %I", user);
            }
            if (flavour.superuserDefaults(privilege)) {
                for (String setting : SUPERUSER_DEFAULTS) {
                    db.executeFormatted("alter role " + user + " set " + setting, "ALTER ROLE %I SET " + setting, user);
                }
            } else if (flavour.diskFullLocked(instance) && flavour instanceof PostgresqlFlavour) {
                db.executeFormatted(
                        "alter role " + user + " set default_transaction_read_only",
                        "ALTER ROLE %I SET default_transaction_read_only = on",
                        user);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("user", user);
            result.put("created", !exists);
            result.put("privilege", privilege);
            return result;
        }
    }

    /**
     * {@code params-update}: rewrites only the given keys of postgresql.conf. While the engine runs, the server
     * first checks each value (a rolled-back {@code set_config}) and then the new file ({@code pg_file_settings});
     * a rejection leaves the old file and fails naming the parameter. Then reload, and report which parameters wait
     * for a restart.
     */
    static Map<String, Object> paramsUpdate(Instance instance, Request request) {
        instance.requireInstalled();
        Map<String, String> params = InstallSpec.checkedParams(request.stringMap("params"), instance.flavour());
        if (params.isEmpty()) {
            throw AgentException.invalid("request field 'params' is required: a JSON object of parameter: value");
        }
        boolean reload = request.bool("reload", true);
        Path confPath = instance.conf();
        String before = read(confPath);
        ConfFile conf = ConfFile.parse(before);
        conf.setAll(params);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("updated", new ArrayList<>(params.keySet()));
        if (Lifecycle.probe(instance).state() != Lifecycle.State.RUNNING) {
            conf.write(confPath);
            result.put("reloaded", false);
            result.put("pendingRestart", List.of());
            return result;
        }
        try (Database db = Database.open(instance)) {
            for (Map.Entry<String, String> e : params.entrySet()) {
                String complaint = db.invalidSetting(e.getKey(), e.getValue());
                if (complaint != null) {
                    throw AgentException.invalid("the server rejects parameter '" + e.getKey() + "': " + complaint
                            + "; postgresql.conf was left unchanged");
                }
            }
            conf.write(confPath);
            // The server parses the new file; "could not be applied" only marks restart-only changes, not errors.
            List<Map<String, Object>> errors = db.query(
                    "select name, error from pg_file_settings where error is not null "
                            + "and error <> 'setting could not be applied' and (name is null or lower(name) = any(?::text[]))",
                    (Object) params.keySet().stream().map(String::toLowerCase).toArray(String[]::new));
            if (!errors.isEmpty()) {
                ConfFile.parse(before).write(confPath);
                Map<String, Object> e = errors.get(0);
                throw AgentException.invalid("the server rejects parameter '" + e.get("name") + "': " + e.get("error")
                        + "; postgresql.conf was left unchanged");
            }
            resetAutoConf(instance, db, params);
            if (reload) {
                reload(instance, db);
            }
            List<String> pending = new ArrayList<>();
            for (Map<String, Object> row : db.query(
                    "select name from pg_settings where pending_restart and lower(name) = any(?::text[]) order by 1",
                    (Object) params.keySet().stream().map(String::toLowerCase).toArray(String[]::new))) {
                pending.add((String) row.get("name"));
            }
            result.put("reloaded", reload);
            result.put("pendingRestart", pending);
            return result;
        }
    }

    /** Reloads the configuration and waits until the server has read it. */
    static void reload(Instance instance, Database db) {
        Object loadedBefore = db.value("select pg_conf_load_time()");
        db.execute("select pg_reload_conf()");
        while (loadedBefore.equals(db.value("select pg_conf_load_time()"))) {
            instance.deadline().pause(50, "the server to reload " + instance.conf());
        }
    }

    /** A key also set by ALTER SYSTEM would shadow the new line; reset it there so postgresql.conf is what counts. */
    static void resetAutoConf(Instance instance, Database db, Map<String, String> params) {
        ConfFile auto = ConfFile.read(instance.dataDir().resolve("postgresql.auto.conf"));
        for (String key : params.keySet()) {
            if (auto.contains(key)) {
                String[] parts = key.split("\\.");
                if (parts.length == 2) {
                    db.executeFormatted("alter system reset " + key, "ALTER SYSTEM RESET %I.%I", parts[0], parts[1]);
                } else {
                    db.executeFormatted("alter system reset " + key, "ALTER SYSTEM RESET %I", key.toLowerCase());
                }
            }
        }
    }

    static Map<String, Object> lockDiskFull(Instance instance, Request request) {
        try (Database db = Database.open(instance)) {
            if (instance.flavour() instanceof PostgresqlFlavour) {
                requirePrimary(instance, db, "lock-diskfull");
            }
            instance.flavour().lockDiskFull(instance, db);
        }
        return Map.of("diskFullLocked", true);
    }

    static Map<String, Object> unlockDiskFull(Instance instance, Request request) {
        try (Database db = Database.open(instance)) {
            if (instance.flavour() instanceof PostgresqlFlavour) {
                requirePrimary(instance, db, "unlock-diskfull");
            }
            instance.flavour().unlockDiskFull(instance, db);
        }
        return Map.of("diskFullLocked", false);
    }

    static Map<String, Object> slotCreate(Instance instance, Request request) {
        String slot = slotName(request);
        try (Database db = Database.open(instance)) {
            boolean exists = db.exists("select 1 from pg_replication_slots where slot_name = ?", slot);
            if (!exists) {
                db.value("select pg_create_physical_replication_slot(?, true)", slot);
            }
            return Map.of("slotName", slot, "created", !exists);
        }
    }

    static Map<String, Object> slotRemove(Instance instance, Request request) {
        String slot = slotName(request);
        try (Database db = Database.open(instance)) {
            boolean removed = false;
            while (db.exists("select 1 from pg_replication_slots where slot_name = ?", slot)) {
                // An active slot cannot be dropped: end the walsender that holds it, then try again.
                Object pid = db.value("select active_pid from pg_replication_slots where slot_name = ?", slot);
                if (pid != null) {
                    db.value("select pg_terminate_backend(?)", pid);
                    instance.deadline().pause(100, "the walsender of slot " + slot + " to exit");
                    continue;
                }
                try {
                    db.value("select pg_drop_replication_slot(?)", slot);
                    removed = true;
                } catch (AgentException e) {
                    if (!"55006".equals(e.details().get("sqlState"))) {
                        throw e;
                    }
                    instance.deadline().pause(100, "slot " + slot + " to become inactive");
                }
            }
            return Map.of("slotName", slot, "removed", removed);
        }
    }

    static String slotName(Request request) {
        SlotNames.Type type = request.choice("slotType", SlotNames.Type.class, SlotNames.Type.REPLICA);
        return SlotNames.name(type, request.string("custinsId"), request.string("slotUniqueName"));
    }

    /** {@code promote}: a replica leaves recovery; the answer is the new timeline. A primary answers at once. */
    static Map<String, Object> promote(Instance instance, Request request) {
        boolean wasReplica;
        try (Database db = Database.open(instance)) {
            wasReplica = (Boolean) db.value("select pg_is_in_recovery()");
            if (wasReplica) {
                instance.commands()
                        .require(
                                "promote of " + instance.dataDir(),
                                List.of(
                                        instance.bin("pg_ctl"),
                                        "promote",
                                        "-D",
                                        instance.dataDir().toString(),
                                        "-W"));
                while ((Boolean) db.value("select pg_is_in_recovery()")) {
                    instance.deadline().pause(100, "instance " + instance.dataDir() + " to leave recovery");
                }
            }
        }
        Map<String, Object> result = role(instance, request);
        result.put("promoted", wasReplica);
        return result;
    }

    static Map<String, Object> systemIdentifier(Instance instance, Request request) {
        return Map.of("systemIdentifier", instance.flavour().systemIdentifier(instance));
    }

    static Map<String, Object> growStorage(Instance instance, Request request) {
        return instance.flavour().growStorage(instance, request);
    }

    private static void requirePrimary(Instance instance, Database db, String action) {
        if ((Boolean) db.value("select pg_is_in_recovery()")) {
            throw new AgentException(
                    ErrorCode.WRONG_ROLE,
                    action + " needs the RW; instance " + instance.dataDir()
                            + " is a replica (changes reach it from the RW)");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
