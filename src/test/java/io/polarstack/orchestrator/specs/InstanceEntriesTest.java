package io.polarstack.orchestrator.specs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class InstanceEntriesTest {

    @Test
    void aPendingEntryNamesItsPodAndWaitsUninstalled() throws Exception {
        var cluster = InstancePodsTest.sample("mpdcluster-local.yaml");
        var entry = InstanceEntries.pending(
                cluster, "1001", "1007", "1002", "tempro", 5433, Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(entry.getPodName()).isEqualTo("pg-local-1001-1007");
        assertThat(entry.getPodNameSpace()).isEqualTo("default");
        assertThat(entry.getPhysicalInsId()).isEqualTo("1001");
        assertThat(entry.getInsName()).isEqualTo("1002");
        assertThat(entry.getInsType()).isEqualTo("tempro");
        assertThat(entry.getInstalled()).isFalse();
        assertThat(entry.getNetInfo().getWorkingPort()).isEqualTo(5433);
        assertThat(entry.getCurrentState().getState()).isEqualTo("PENDING");
        assertThat(entry.getCurrentState().getStartAt()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(entry.getReplacesInsId()).isNull();
    }
}
