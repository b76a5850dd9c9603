package io.polarstack.orchestrator.specs;

import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An instance's storage quota in bytes, read from the spec: the one place that says what "quota" means.
 * <p>
 * Share mode: {@code shareStore.diskQuota}, in MB as PolarDB Stack writes it (taken as MiB), the usable size of the
 * one LUN every instance shares. Local mode: {@code localStore.size} (a Kubernetes quantity, {@code 10Gi} when unset,
 * as {@link InstancePods#dataClaim} requests it); with a storage class it is the claim's request, without one the
 * data directory is a host path and the quota is this figure only, which usage is compared with.
 */
public final class StorageQuota {

    /** PFS grows in chunks of 10 GiB. */
    public static final long PFS_CHUNK_BYTES = 10L * 1024 * 1024 * 1024;

    static final String LOCAL_DEFAULT = "10Gi";
    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L),
            Map.entry("Ki", 1L << 10),
            Map.entry("Mi", 1L << 20),
            Map.entry("Gi", 1L << 30),
            Map.entry("Ti", 1L << 40),
            Map.entry("Pi", 1L << 50),
            Map.entry("k", 1_000L),
            Map.entry("M", 1_000_000L),
            Map.entry("G", 1_000_000_000L),
            Map.entry("T", 1_000_000_000_000L),
            Map.entry("P", 1_000_000_000_000_000L));

    private StorageQuota() {}

    /** The quota of each instance of {@code cluster}, in bytes. */
    public static long bytes(MPDCluster cluster) {
        return bytes(cluster.getSpec());
    }

    /** The quota of each instance the spec asks for, in bytes. */
    public static long bytes(MPDClusterSpec spec) {
        return parse(spec, written(spec));
    }

    /**
     * The quota for comparing usage with: empty when the spec gives none, zero or a malformed one, so the usage
     * monitor compares nothing rather than failing.
     */
    public static java.util.OptionalLong known(MPDCluster cluster) {
        try {
            long bytes = bytes(cluster);
            return bytes > 0 ? java.util.OptionalLong.of(bytes) : java.util.OptionalLong.empty();
        } catch (IllegalArgumentException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /** The quota as the spec writes it (MB for share mode, a quantity for local mode). */
    public static String written(MPDClusterSpec spec) {
        if (share(spec)) {
            String quota = spec.getShareStore().getDiskQuota();
            return quota == null || quota.isBlank() ? null : quota.trim();
        }
        String size = spec.getLocalStore() == null ? null : spec.getLocalStore().getSize();
        return size == null || size.isBlank() ? LOCAL_DEFAULT : size.trim();
    }

    /** {@code written} (a value {@link #written} gave for this mode) in bytes. */
    public static long parse(MPDClusterSpec spec, String written) {
        if (written == null) {
            throw new IllegalArgumentException("shareStore.diskQuota is not set");
        }
        if (share(spec)) {
            if (!written.matches("\\d+")) {
                throw new IllegalArgumentException("shareStore.diskQuota \"" + written + "\" is not a number of MB");
            }
            return Math.multiplyExact(Long.parseLong(written), 1L << 20);
        }
        var m = QUANTITY.matcher(written);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "localStore.size \"" + written + "\" is not a whole quantity such as 20Gi or 500M");
        }
        return Math.multiplyExact(Long.parseLong(m.group(1)), UNITS.get(m.group(2) == null ? "" : m.group(2)));
    }

    /** Local mode is {@code dbClusterType: local}, share mode everything else (the same rule as the pod spec). */
    public static boolean share(MPDClusterSpec spec) {
        return !"local".equals(spec.getDbClusterType());
    }
}
