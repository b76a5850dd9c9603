package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassParamsTest {

    static final Map<String, String> X4 = Map.of("max_connections", "800", "shared_buffers", "2GB");
    static final Map<String, String> X8 = Map.of("max_connections", "1600", "shared_buffers", "4GB", "work_mem", "8MB");

    @Test
    void paramsTheUserNeverChangedFollowTheClassOthersStay() {
        var current = Map.of("max_connections", "800", "shared_buffers", "3GB", "log_min_duration_statement", "1000");
        var next = ClassParams.moved(current, X4, X8);
        assertThat(next)
                .containsEntry("max_connections", "1600")
                .containsEntry("shared_buffers", "3GB") // set by the user
                .containsEntry("work_mem", "8MB") // new in this class
                .containsEntry("log_min_duration_statement", "1000");
        assertThat(ClassParams.changes(current, next)).containsOnlyKeys("max_connections", "work_mem");
        assertThat(ClassParams.changes(next, ClassParams.moved(next, X4, X8)))
                .as("a second run changes nothing")
                .isEmpty();
    }

    @Test
    void onlyStandbyMinimumsThatGoDownCount() {
        assertThat(ClassParams.lowered(X8, ClassParams.moved(X8, X8, X4)))
                .containsExactly(Map.entry("max_connections", "800"));
        assertThat(ClassParams.lowered(X4, ClassParams.moved(X4, X4, X8)))
                .as("up")
                .isEmpty();
        assertThat(ClassParams.lowered(
                        Map.of("max_connections", "800", "max_wal_senders", "10"),
                        Map.of("max_connections", "1600", "max_wal_senders", "5", "shared_buffers", "1GB")))
                .as("one up, one down")
                .containsExactly(Map.entry("max_wal_senders", "5"));
        assertThat(ClassParams.lowered(Map.of("max_connections", "800"), Map.of("max_connections", "lots")))
                .isEmpty();
    }

    @Test
    void aParamsConfigMapKeepsItsEntriesAndRewritesTheChangedOnes() {
        var cluster = new MPDCluster();
        cluster.setMetadata(new ObjectMetaBuilder()
                .withNamespace("db")
                .withName("pg")
                .withUid("u")
                .build());
        var before = ParamsConfigMaps.build(cluster, "pg-running-params", X4, Instant.parse("2024-01-01T00:00:00Z"));
        var after = ParamsConfigMaps.update(
                cluster,
                "pg-running-params",
                before.getData(),
                Map.of("max_connections", "1600"),
                Instant.parse("2024-02-01T00:00:00Z"));
        assertThat(ParamsConfigMaps.values("pg-running-params", after.getData()))
                .containsExactlyInAnyOrderEntriesOf(Map.of("max_connections", "1600", "shared_buffers", "2GB"));
        assertThat(after.getData().get("shared_buffers"))
                .isEqualTo(before.getData().get("shared_buffers"));
        assertThat(after.getData().get("max_connections")).contains("2024-02-01");
        assertThat(after.getMetadata().getOwnerReferences()).hasSize(1);
    }
}
