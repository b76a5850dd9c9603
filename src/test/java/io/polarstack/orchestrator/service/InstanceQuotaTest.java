package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.api.LocalStore;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.ShareStore;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class InstanceQuotaTest {

    static MPDCluster cluster(String type, String localSize, String diskQuota) {
        var spec = new MPDClusterSpec();
        spec.setDbClusterType(type);
        if (localSize != null) {
            var local = new LocalStore();
            local.setSize(localSize);
            spec.setLocalStore(local);
        }
        if (diskQuota != null) {
            var share = new ShareStore();
            share.setDiskQuota(diskQuota);
            spec.setShareStore(share);
        }
        var cluster = new MPDCluster();
        cluster.setSpec(spec);
        return cluster;
    }

    @Test
    void localModeReadsTheLocalStoreSizeAsAQuantity() {
        assertThat(InstanceQuota.bytes(cluster("local", "10Gi", null))).isEqualTo(OptionalLong.of(10L << 30));
        assertThat(InstanceQuota.bytes(cluster("local", "64Mi", "999"))).isEqualTo(OptionalLong.of(64L << 20));
    }

    @Test
    void shareModeReadsTheDiskQuotaInMegabytes() {
        assertThat(InstanceQuota.bytes(cluster("share", "10Gi", "300000"))).isEqualTo(OptionalLong.of(300000L << 20));
    }

    @Test
    void noneEmptyOrMalformedIsNoQuota() {
        assertThat(InstanceQuota.bytes(cluster("local", null, null))).isEmpty();
        assertThat(InstanceQuota.bytes(cluster("local", "", null))).isEmpty();
        assertThat(InstanceQuota.bytes(cluster("share", null, "lots"))).isEmpty();
        assertThat(InstanceQuota.bytes(cluster("share", null, "0"))).isEmpty();
    }
}
