package io.polarstack.orchestrator.agent;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PolarDB for PostgreSQL 11 as PolarDBManager drives it: data on a shared LUN through PFS (cluster name
 * {@code disk}, directory {@code /mapper_<wwid>/data}), a local copy in the data directory, ROs configured in
 * {@code recovery.conf}, the disk-full lock as the engine's {@code polar_force_trans_ro_non_sup}.
 */
public final class PolardbFlavour implements Flavour {

    static final String PFS_CLUSTER = "disk";
    static final String DISKFULL_PARAM = "polar_force_trans_ro_non_sup";
    static final String GROW_SQL = "select polar_vfs_disk_expansion(?)";

    @Override
    public String name() {
        return "polardb";
    }

    @Override
    public Path defaultBinDir() {
        return Path.of("/u01/polardb_pg/bin");
    }

    @Override
    public String hostAuthMethod() {
        // PolarDB 11 stores md5 passwords by default; md5 also accepts SCRAM-stored ones.
        return "md5";
    }

    @Override
    public String roleAttributes(int privilege) {
        return switch (privilege) {
            case 1 -> "NOSUPERUSER CREATEDB CREATEROLE LOGIN";
            case 6 -> "POLAR_SUPERUSER REPLICATION LOGIN";
            case 7 -> "SUPERUSER LOGIN";
            case 15 -> "SUPERUSER REPLICATION LOGIN";
            default ->
                throw AgentException.invalid("request field 'privilege' " + privilege + " is not one of 1, 6, 7, 15");
        };
    }

    @Override
    public void initPrimary(Instance instance, InstallSpec spec) {
        if (spec.mode() == InstallSpec.Mode.LOCAL) {
            instance.commands().require("initdb of " + instance.dataDir(), initdb(instance));
            return;
        }
        String sharedData = sharedDataDir(spec);
        if (instance.commands().run(pfs("stat", sharedData)).ok()) {
            // The LUN already holds a cluster (a rebuilt RW): copy it instead of creating a new one.
            instance.commands()
                    .require("copying " + sharedData + " to " + instance.dataDir(), replicaInitdb(instance, spec));
            return;
        }
        instance.commands().require("initdb of " + instance.dataDir(), initdb(instance));
        instance.commands().require("pfs mkdir " + sharedData, pfs("mkdir", sharedData));
        instance.commands()
                .require(
                        "copying " + instance.dataDir() + " to " + sharedData,
                        List.of(instance.bin("polar-initdb.sh"), instance.dataDir() + "/", sharedData + "/"));
    }

    static List<String> pfs(String command, String path) {
        return List.of("pfs", "-C", PFS_CLUSTER, command, path);
    }

    static List<String> replicaInitdb(Instance instance, InstallSpec spec) {
        return List.of(instance.bin("polar-replica-initdb.sh"), sharedDataDir(spec) + "/", instance.dataDir() + "/");
    }

    static String sharedDataDir(InstallSpec spec) {
        return "/" + spec.diskName() + "/data";
    }

    @Override
    public Map<String, String> instanceParams(InstallSpec spec) {
        Map<String, String> p = new LinkedHashMap<>();
        if (spec.mode() == InstallSpec.Mode.SHARE) {
            p.put(
                    "polar_vfs.logic_ins_id",
                    spec.logicInsId()
                            .orElseThrow(() ->
                                    AgentException.invalid("request field 'logicInsId' is required in share mode")));
            p.put(
                    "polar_hostid",
                    spec.polarHostId()
                            .orElseThrow(() ->
                                    AgentException.invalid("request field 'polarHostId' is required in share mode")));
            p.put("polar_disk_name", spec.diskName());
            p.put("polar_datadir", sharedDataDir(spec));
            p.put("polar_storage_cluster_name", PFS_CLUSTER);
        }
        return p;
    }

    @Override
    public void configureStandby(Instance instance, InstallSpec spec, ConfFile conf) {
        recoveryConf(spec).write(instance.dataDir().resolve("recovery.conf"));
    }

    /** PolarDB 11 reads standby settings from recovery.conf: polar_replica for share mode, standby_mode for local. */
    static ConfFile recoveryConf(InstallSpec spec) {
        ConfFile conf = ConfFile.parse("# written by the manager agent\n");
        String slot = spec.slotName().orElseThrow();
        if (spec.mode() == InstallSpec.Mode.SHARE) {
            conf.set("polar_replica", "on");
        } else {
            conf.set("standby_mode", "on");
        }
        conf.set("recovery_target_timeline", "latest");
        conf.set("primary_slot_name", slot);
        spec.primary().ifPresent(p -> conf.set("primary_conninfo", Conninfo.of(p, slot)));
        return conf;
    }

    @Override
    public void initSharedReplica(Instance instance, InstallSpec spec) {
        instance.commands()
                .require("copying " + sharedDataDir(spec) + " to " + instance.dataDir(), replicaInitdb(instance, spec));
    }

    @Override
    public void lockDiskFull(Instance instance, Database db) {
        setDiskFull(instance, db, "on");
        Object ended = db.value(PostgresqlFlavour.TERMINATE_ORDINARY_SESSIONS);
        instance.log().info("disk-full lock: ended %s ordinary sessions", ended);
    }

    @Override
    public void unlockDiskFull(Instance instance, Database db) {
        setDiskFull(instance, db, "off");
    }

    private static void setDiskFull(Instance instance, Database db, String value) {
        ConfFile conf = ConfFile.read(instance.conf());
        conf.set(DISKFULL_PARAM, value);
        conf.write(instance.conf());
        db.execute("select pg_reload_conf()");
    }

    @Override
    public boolean diskFullLocked(Instance instance) {
        return ConfFile.read(instance.conf())
                .get(DISKFULL_PARAM)
                .map("on"::equalsIgnoreCase)
                .orElse(false);
    }

    @Override
    public Map<String, Object> growStorage(Instance instance, Request request) {
        String disk = "mapper_" + request.string("wwid", InstallSpec.WWID, "letters, digits, '_' and '-'");
        try (Database db = Database.open(instance)) {
            db.value(GROW_SQL, disk);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("disk", disk);
        result.put("grown", true);
        return result;
    }

    @Override
    public String systemIdentifier(Instance instance) {
        instance.requireInstalled();
        if (instance.standbyConfigured()) {
            throw new AgentException(
                    ErrorCode.WRONG_ROLE,
                    "instance " + instance.dataDir()
                            + " is a RO (recovery.conf exists); ask the RW for the system identifier");
        }
        String disk = ConfFile.read(instance.conf()).get("polar_disk_name").orElse(null);
        if (disk != null) {
            // The RW's current pg_control lives on shared storage; the local copy may be stale.
            instance.commands().require("copying pg_control from shared storage", sharedControlCopy(instance, disk));
        }
        return PostgresqlFlavour.parseSystemIdentifier(instance.controlData());
    }

    /**
     * Failover on PolarDB is the storage switch of the cluster manager, not streaming replication: in share mode
     * every instance replays the one WAL on the shared LUN, so there is no old-RW shutdown position to compare and
     * nothing to rewind (the old RW is reinstalled as a RO on the LUN the new RW now writes). PolarDB 11 also reads
     * primary_conninfo from recovery.conf only at start, so follow and rejoin are not offered for local mode either.
     */
    @Override
    public void checkFailoverAction(Instance instance, Action action) {
        boolean share = ConfFile.read(instance.conf()).contains("polar_disk_name");
        if (action == Action.FOLLOW || action == Action.REJOIN) {
            throw new AgentException(
                    ErrorCode.NOT_SUPPORTED,
                    action.command() + " is for PostgreSQL streaming replicas; a PolarDB "
                            + (share
                                    ? "RO on shared storage follows the RW through the shared LUN: reinstall it (install, role ro, mode share)"
                                    : "11 RO reads recovery.conf only at start: reinstall it as a RO of the new RW"));
        }
        if (action == Action.SHUTDOWN_CHECKPOINT && share) {
            throw new AgentException(
                    ErrorCode.NOT_SUPPORTED,
                    "shutdown-checkpoint does not apply on shared storage: every RO replays "
                            + "the RW's WAL from the shared LUN, and the local pg_control of " + instance.dataDir()
                            + " is only a copy");
        }
    }

    static List<String> sharedControlCopy(Instance instance, String disk) {
        return List.of(
                "pfs",
                "-C",
                PFS_CLUSTER,
                "cp",
                "/" + disk + "/data/global/pg_control",
                instance.dataDir().resolve("global/pg_control").toString());
    }
}
