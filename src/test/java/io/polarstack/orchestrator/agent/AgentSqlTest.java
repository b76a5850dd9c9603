package io.polarstack.orchestrator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands, configuration and SQL the agent builds, checked without an engine. This is the only test of the
 * PolarDB flavour's install, recovery.conf, PFS and storage-growth steps: PolarDB binaries do not run here.
 */
class AgentSqlTest {

    @TempDir
    Path dir;

    private final List<List<String>> ran = new ArrayList<>();

    /** Records argv instead of running it; {@code pfs stat} answers "no such directory". */
    private Instance instance(Flavour flavour) {
        AgentLog log = AgentLog.open(dir.resolve("log/manager.log"), "test");
        Deadline deadline = new Deadline(Duration.ofSeconds(10));
        Commands recording = new Commands(log, deadline) {
            @Override
            public Result run(List<String> argv, Map<String, String> env, Duration timeout) {
                ran.add(argv);
                return new Result(argv.contains("stat") ? 1 : 0, "", "");
            }
        };
        return new Instance(
                flavour,
                dir.resolve("data"),
                dir.resolve("log"),
                Path.of("/u01/polardb_pg/bin"),
                dir.resolve("data"),
                null,
                false,
                log,
                deadline,
                recording);
    }

    private static Request request(String json) throws Exception {
        return Request.of(new ObjectMapper().readTree(json));
    }

    @Test
    void polardbSharedRwRunsInitdbThenCopiesToPfs() throws Exception {
        Instance instance = instance(new PolardbFlavour());
        InstallSpec spec = InstallSpec.from(request("""
                {"role":"rw","mode":"share","port":5432,"wwid":"36001405abc","logicInsId":"1001","polarHostId":"1"}"""), instance.flavour());
        instance.flavour().initPrimary(instance, spec);
        String data = dir.resolve("data").toString();
        assertEquals(
                List.of(
                        List.of("pfs", "-C", "disk", "stat", "/mapper_36001405abc/data"),
                        List.of(
                                "/u01/polardb_pg/bin/initdb",
                                "-D",
                                data,
                                "-U",
                                "postgres",
                                "--encoding=UTF8",
                                "--no-locale",
                                "--data-checksums",
                                "--auth-local=trust",
                                "--auth-host=md5"),
                        List.of("pfs", "-C", "disk", "mkdir", "/mapper_36001405abc/data"),
                        List.of("/u01/polardb_pg/bin/polar-initdb.sh", data + "/", "/mapper_36001405abc/data/")),
                ran);
        assertEquals(
                Map.of(
                        "polar_vfs.logic_ins_id",
                        "1001",
                        "polar_hostid",
                        "1",
                        "polar_disk_name",
                        "mapper_36001405abc",
                        "polar_datadir",
                        "/mapper_36001405abc/data",
                        "polar_storage_cluster_name",
                        "disk"),
                instance.flavour().instanceParams(spec));
    }

    @Test
    void polardbSharedRoCopiesFromPfsAndWritesRecoveryConf() throws Exception {
        Instance instance = instance(new PolardbFlavour());
        InstallSpec spec = InstallSpec.from(request("""
                {"role":"ro","mode":"share","port":5432,"wwid":"36001405abc","logicInsId":"1001","polarHostId":"2",
                 "custinsId":"1002","slotUniqueName":"ro-1"}"""), instance.flavour());
        instance.flavour().initSharedReplica(instance, spec);
        assertEquals(
                List.of(List.of(
                        "/u01/polardb_pg/bin/polar-replica-initdb.sh",
                        "/mapper_36001405abc/data/",
                        dir.resolve("data") + "/")),
                ran);
        ConfFile recovery = PolardbFlavour.recoveryConf(spec);
        assertEquals("on", recovery.get("polar_replica").orElseThrow());
        assertEquals("replica_1002_ro_1", recovery.get("primary_slot_name").orElseThrow());
        assertEquals("latest", recovery.get("recovery_target_timeline").orElseThrow());
        assertFalse(recovery.contains("standby_mode"));
    }

    @Test
    void polardbLocalRoStreamsWithAQuotedConninfo() throws Exception {
        InstallSpec spec = InstallSpec.from(request("""
                {"role":"ro","port":5433,"custinsId":"1002","slotUniqueName":"ro-1",
                 "primary":{"host":"10.0.0.1","port":5432,"user":"replicator","password":"p'w\\\\ \\"x\\""}}"""), new PolardbFlavour());
        ConfFile recovery = PolardbFlavour.recoveryConf(spec);
        assertEquals("on", recovery.get("standby_mode").orElseThrow());
        assertEquals(
                "host='10.0.0.1' port='5432' user='replicator' password='p\\'w\\\\ \"x\"' application_name='replica_1002_ro_1'",
                recovery.get("primary_conninfo").orElseThrow());
    }

    @Test
    void polardbSystemIdentifierIsRefusedOnARoAndReadFromSharedStorageOnTheRw() throws Exception {
        Instance instance = instance(new PolardbFlavour());
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/PG_VERSION"), "11\n");
        Files.writeString(dir.resolve("data/recovery.conf"), "polar_replica = 'on'\n");
        assertEquals(
                ErrorCode.WRONG_ROLE,
                assertThrows(AgentException.class, () -> instance.flavour().systemIdentifier(instance))
                        .code());
        assertEquals(
                List.of(
                        "pfs",
                        "-C",
                        "disk",
                        "cp",
                        "/mapper_x/data/global/pg_control",
                        dir.resolve("data/global/pg_control").toString()),
                PolardbFlavour.sharedControlCopy(instance, "mapper_x"));
        assertEquals(
                "7012345678901234567",
                PostgresqlFlavour.parseSystemIdentifier(
                        "pg_control version number:            1100\nDatabase system identifier:           7012345678901234567\n"));
    }

    @Test
    void polardbPrivateKeysAndPrivilegesFollowTheOriginalManager() {
        PolardbFlavour polardb = new PolardbFlavour();
        for (String key :
                List.of("polar_hostid", "polar_vfs.logic_ins_id", "polar_disk_name", "polar_datadir", "port")) {
            assertEquals(
                    ErrorCode.INVALID_ARGUMENT,
                    assertThrows(AgentException.class, () -> InstallSpec.checkedParams(Map.of(key, "1"), polardb))
                            .code(),
                    key);
        }
        assertEquals("NOSUPERUSER CREATEDB CREATEROLE LOGIN", polardb.roleAttributes(1));
        assertEquals("POLAR_SUPERUSER REPLICATION LOGIN", polardb.roleAttributes(6));
        assertEquals("SUPERUSER LOGIN", polardb.roleAttributes(7));
        assertEquals("SUPERUSER REPLICATION LOGIN", polardb.roleAttributes(15));
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                assertThrows(AgentException.class, () -> polardb.roleAttributes(2))
                        .code());
        assertEquals(
                "select polar_vfs_disk_expansion(?)", PolardbFlavour.GROW_SQL, "the disk name is bound, never pasted");
        assertEquals("polar_force_trans_ro_non_sup", PolardbFlavour.DISKFULL_PARAM);
    }

    @Test
    void slotNamesFollowTheRuleAndRefuseWhatTheServerWould() {
        assertEquals("replica_1002_ro_1", SlotNames.name(SlotNames.Type.REPLICA, "1002", "ro-1"));
        assertEquals("standby_7_a_b", SlotNames.name(SlotNames.Type.STANDBY, "7", "a-b"));
        for (String bad : List.of("Upper", "a;b", "a'b", "$(x)", "`x`", "a\nb", "x".repeat(60))) {
            assertEquals(
                    ErrorCode.INVALID_ARGUMENT,
                    assertThrows(AgentException.class, () -> SlotNames.name(SlotNames.Type.REPLICA, "1", bad))
                            .code(),
                    bad);
        }
    }

    @Test
    void postgresqlRoUsesABaseBackupThroughTheSlotWithThePasswordOutOfArgv() throws Exception {
        Instance instance = instance(new PostgresqlFlavour());
        InstallSpec spec = InstallSpec.from(request("""
                {"role":"ro","port":5433,"custinsId":"1002","slotUniqueName":"ro-1",
                 "primary":{"host":"10.0.0.1","port":5432,"user":"replicator","password":"secret"}}"""), instance.flavour());
        List<String> argv = Install.baseBackupArgv(instance, spec);
        assertEquals(
                List.of(
                        "/u01/polardb_pg/bin/pg_basebackup",
                        "-D",
                        dir.resolve("data").toString(),
                        "-h",
                        "10.0.0.1",
                        "-p",
                        "5432",
                        "-U",
                        "replicator",
                        "-X",
                        "stream",
                        "-S",
                        "replica_1002_ro_1",
                        "-c",
                        "fast",
                        "-w",
                        "--no-manifest"),
                argv);
        assertFalse(argv.contains("secret"));
        Map<String, String> standby = PostgresqlFlavour.standbyParams(spec);
        assertEquals("replica_1002_ro_1", standby.get("primary_slot_name"));
        assertTrue(standby.get("primary_conninfo").contains("application_name='replica_1002_ro_1'"));
        assertEquals(
                ErrorCode.NOT_SUPPORTED,
                assertThrows(AgentException.class, () -> instance.flavour().initSharedReplica(instance, spec))
                        .code());
    }

    @Test
    void hbaAllowsTheLocalSuperuserAndPasswordsFromTheGivenRanges() throws Exception {
        InstallSpec spec = InstallSpec.from(request("""
                {"role":"rw","port":5432,"hbaCidrs":["10.0.0.0/8"]}"""), new PostgresqlFlavour());
        String hba = Install.hba(spec, "scram-sha-256");
        assertTrue(hba.contains("local   all          postgres                 trust"));
        assertTrue(hba.contains("host    replication  all      10.0.0.0/8         scram-sha-256"));
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                assertThrows(AgentException.class, () -> InstallSpec.from(request("""
                {"role":"rw","port":5432,"hbaCidrs":["0.0.0.0/0 trust\\nlocal all all trust"]}"""), new PostgresqlFlavour()))
                        .code());
    }

    @Test
    void accountStatementsAreServerFormattedTemplatesOfConstants() {
        PostgresqlFlavour pg = new PostgresqlFlavour();
        assertEquals("NOSUPERUSER CREATEDB CREATEROLE REPLICATION LOGIN", pg.roleAttributes(6));
        assertEquals(List.of("pg_monitor", "pg_signal_backend"), pg.grantedRoles(6));
        assertTrue(SqlActions.SUPERUSER_DEFAULTS.contains("timezone = 'UTC'"));
        for (String name : List.of("a\"b", "a;b", "pg_x", "1a", "a b", "a".repeat(64))) {
            assertFalse(InstallSpec.ROLE_NAME.matcher(name).matches(), name);
        }
    }

    @Test
    void pgRewindGetsTheNewPrimaryWithoutItsPassword() throws Exception {
        Instance instance = instance(new PostgresqlFlavour());
        InstallSpec.Primary primary = InstallSpec.primary(request("""
                {"host":"10.0.0.2","port":5433,"user":"replicator","password":"p'w secret"}"""));
        List<String> argv = Failover.rewindArgv(instance, primary, true);
        assertEquals(
                List.of(
                        "/u01/polardb_pg/bin/pg_rewind",
                        "--target-pgdata=" + dir.resolve("data"),
                        "--source-server=host='10.0.0.2' port='5433' user='replicator' dbname='postgres'",
                        "--dry-run"),
                argv);
        assertFalse(
                String.join(" ", Failover.rewindArgv(instance, primary, false)).contains("secret"));
        assertEquals(
                Map.of("wal_log_hints", "on"), instance.flavour().instanceParams(null), "new instances can be rewound");

        Path saved = dir.resolve("log").resolve(Failover.SAVED_DIR);
        Files.createDirectories(saved);
        Files.writeString(saved.resolve("postgresql.conf"), "port = 1\n");
        Failover.discardSavedFiles(instance);
        assertFalse(Files.exists(saved), "an install does not inherit what an interrupted rejoin saved");
    }
}
