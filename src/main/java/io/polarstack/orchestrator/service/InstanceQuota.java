package io.polarstack.orchestrator.service;

import io.fabric8.kubernetes.api.model.Quantity;
import io.polarstack.orchestrator.api.MPDCluster;
import java.util.OptionalLong;

/**
 * An instance's data quota in bytes, the one notion the usage monitor and storage growth share: local mode
 * {@code spec.localStore.size} (a Kubernetes quantity, each instance has its own store of that size), share mode
 * {@code spec.shareStore.diskQuota} (MB, as PolarDB Stack writes it; every instance uses the one shared store).
 * Empty when the resource names no usable quota.
 */
public final class InstanceQuota {

    private static final long MB = 1024L * 1024L;

    private InstanceQuota() {}

    public static OptionalLong bytes(MPDCluster cluster) {
        var spec = cluster.getSpec();
        if (spec == null) {
            return OptionalLong.empty();
        }
        try {
            if ("share".equals(spec.getDbClusterType())) {
                String quota = spec.getShareStore() == null
                        ? null
                        : spec.getShareStore().getDiskQuota();
                return positive(quota == null || quota.isBlank() ? 0 : Long.parseLong(quota.trim()) * MB);
            }
            String size =
                    spec.getLocalStore() == null ? null : spec.getLocalStore().getSize();
            return positive(
                    size == null || size.isBlank()
                            ? 0
                            : Quantity.getAmountInBytes(new Quantity(size.trim()))
                                    .longValue());
        } catch (RuntimeException e) { // a malformed value is no quota, not a reason to stop the monitor
            return OptionalLong.empty();
        }
    }

    private static OptionalLong positive(long bytes) {
        return bytes > 0 ? OptionalLong.of(bytes) : OptionalLong.empty();
    }
}
