package io.polarstack.orchestrator.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.service.ClassParams;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EngineParametersTest {

    /** What a params ConfigMap has been seen to carry in attacks or by mistake: never user-settable. */
    private static final List<String> NEVER = List.of(
            "archive_command",
            "archive_mode",
            "restore_command",
            "archive_cleanup_command",
            "recovery_end_command",
            "shared_preload_libraries",
            "session_preload_libraries",
            "local_preload_libraries",
            "dynamic_library_path",
            "include_dir",
            "include",
            "include_if_exists",
            "ssl_cert_file",
            "ssl_key_file",
            "log_directory",
            "data_directory",
            "hba_file",
            "ident_file",
            "config_file",
            "external_pid_file",
            "unix_socket_directories",
            "port",
            "listen_addresses",
            "synchronous_standby_names",
            "primary_conninfo",
            "primary_slot_name",
            "wal_level",
            "wal_log_hints",
            "full_page_writes",
            "hot_standby",
            "default_transaction_read_only",
            "polar_hostid",
            "polar_vfs.logic_ins_id",
            "polar_disk_name",
            "polar_datadir",
            "polar_storage_cluster_name",
            "polar_force_trans_ro_non_sup");

    @Test
    void commandsLibrariesPathsAndWhatTheOrchestratorOwnsAreRefusedOnBothFlavours() {
        for (String flavour : List.of("postgresql", "polardb")) {
            assertThat(EngineParameters.refused(flavour, NEVER)).as(flavour).hasSameSizeAs(NEVER);
            assertThat(EngineParameters.refused(flavour, List.of("SYNCHRONOUS_STANDBY_NAMES", "Archive_Command")))
                    .as("names are case-insensitive, as the server's are")
                    .hasSize(2);
        }
    }

    @Test
    void tuningTheClassesAndTheOrchestratorSetIsAllowed() {
        List<String> used = List.of("shared_buffers", "max_connections", "effective_cache_size", "work_mem", "fsync");
        for (String flavour : List.of("postgresql", "polardb")) {
            assertThat(EngineParameters.refused(flavour, used)).isEmpty();
            assertThat(EngineParameters.refused(flavour, ClassParams.STANDBY_MINIMUMS))
                    .as("ModifyClass lowers these on the RW through a params update")
                    .isEmpty();
            assertThat(EngineParameters.refused(flavour, List.of("Work_Mem", "log_line_prefix")))
                    .isEmpty();
        }
        assertThat(EngineParameters.refused("postgresql", List.of("wal_keep_size", "wal_keep_segments")))
                .containsExactly("wal_keep_segments");
        assertThat(EngineParameters.refused("polardb", List.of("wal_keep_size", "wal_keep_segments")))
                .containsExactly("wal_keep_size");
    }

    @Test
    void theShippedClassSampleIsAllowed() throws Exception {
        String sample = Files.readString(Path.of("deploy/samples/catalog-class-polar.o.x4.medium.yaml"));
        String config = sample.substring(sample.indexOf("-config-rwo"));
        var names = Pattern.compile("(?m)^  ([a-z_]+): ")
                .matcher(config.substring(config.indexOf("data:")))
                .results()
                .map(m -> m.group(1))
                .toList();
        assertThat(names).contains("shared_buffers");
        assertThat(EngineParameters.refused("polardb", names)).isEmpty();
        assertThat(EngineParameters.refused("postgresql", names)).isEmpty();
    }

    @Test
    void theAgentRefusesARequestNamingEveryBadParameterAndTheList() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("work_mem", "8MB");
        params.put("shared_preload_libraries", "evil");
        params.put("archive_command", "curl x | sh");
        for (Flavour flavour : List.of(new PostgresqlFlavour(), new PolardbFlavour())) {
            assertThatThrownBy(() -> InstallSpec.checkedParams(params, flavour))
                    .isInstanceOf(AgentException.class)
                    .satisfies(e -> assertThat(((AgentException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("parameters archive_command, shared_preload_libraries in request field")
                    .hasMessageContaining("allow list")
                    .hasMessageContaining(EngineParameters.DOCUMENTED)
                    .hasMessageNotContaining("work_mem");
        }
    }

    @Test
    void theOrchestratorRefusesAConfigMapNamingItBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> ParamsConfigMaps.requireAllowed(
                        "postgresql",
                        "ConfigMap ns/c-running-params",
                        Map.of("restore_command", "x", "shared_buffers", "1GB")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("parameter restore_command in ConfigMap ns/c-running-params is not on the "
                        + "postgresql allow list")
                .hasMessageContaining(EngineParameters.DOCUMENTED);
        assertThat(ParamsConfigMaps.requireAllowed("polardb", "class x", Map.of("shared_buffers", "1GB")))
                .containsEntry("shared_buffers", "1GB");
    }
}
