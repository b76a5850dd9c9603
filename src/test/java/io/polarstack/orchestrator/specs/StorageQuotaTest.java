package io.polarstack.orchestrator.specs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.api.LocalStore;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.ShareStore;
import org.junit.jupiter.api.Test;

class StorageQuotaTest {

    static MPDClusterSpec local(String size) {
        var spec = new MPDClusterSpec();
        spec.setDbClusterType("local");
        var store = new LocalStore();
        store.setSize(size);
        spec.setLocalStore(store);
        return spec;
    }

    static MPDClusterSpec share(String diskQuota) {
        var spec = new MPDClusterSpec();
        spec.setDbClusterType("share");
        var store = new ShareStore();
        store.setDiskQuota(diskQuota);
        spec.setShareStore(store);
        return spec;
    }

    static io.polarstack.orchestrator.api.MPDCluster cluster(MPDClusterSpec spec) {
        var cluster = new io.polarstack.orchestrator.api.MPDCluster();
        cluster.setSpec(spec);
        return cluster;
    }

    @Test
    void theUsageMonitorsQuotaIsEmptyWhenTheSpecGivesNoneOrAMalformedOne() {
        assertThat(StorageQuota.known(cluster(local("64Mi")))).hasValue(64L << 20);
        assertThat(StorageQuota.known(cluster(share("300000")))).hasValue(300000L << 20);
        assertThat(StorageQuota.known(cluster(share(null)))).isEmpty();
        assertThat(StorageQuota.known(cluster(share("lots")))).isEmpty();
        assertThat(StorageQuota.known(cluster(share("0")))).isEmpty();
        assertThat(StorageQuota.known(cluster(local("1.5Gi")))).isEmpty();
    }

    @Test
    void localModeIsTheSizeQuantityWithTheClaimsDefault() {
        assertThat(StorageQuota.bytes(local("20Gi"))).isEqualTo(20L << 30);
        assertThat(StorageQuota.bytes(local("500M"))).isEqualTo(500_000_000L);
        assertThat(StorageQuota.bytes(local(null))).isEqualTo(10L << 30);
        assertThat(StorageQuota.written(local(" "))).isEqualTo("10Gi");
        assertThatThrownBy(() -> StorageQuota.bytes(local("1.5Gi"))).hasMessageContaining("localStore.size \"1.5Gi\"");
    }

    @Test
    void shareModeIsTheDiskQuotaInMb() {
        assertThat(StorageQuota.bytes(share("102400"))).isEqualTo(100L << 30);
        assertThat(StorageQuota.bytes(share("102400")) % StorageQuota.PFS_CHUNK_BYTES)
                .isZero();
        assertThatThrownBy(() -> StorageQuota.bytes(share(null))).hasMessageContaining("diskQuota is not set");
        assertThatThrownBy(() -> StorageQuota.bytes(share("10G"))).hasMessageContaining("not a number of MB");
    }
}
