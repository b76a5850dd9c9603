package io.polarstack.orchestrator.api;

import java.util.Locale;

/**
 * {@code spec.dataDurability}: what a commit waits for before it returns. Modelled on CloudNativePG's setting of the
 * same name, with PolarDBManager's default (ROs are synchronous).
 */
public enum DataDurability {
    /** A commit returns once one RO flushed it; with no RO connected, commits wait. The default. */
    REQUIRED,
    /** As required while an RO is connected; with none, commits go on unreplicated (condition SynchronousReplication). */
    PREFERRED,
    /** Commits never wait for an RO; an unplanned failover may lose the last ones. */
    ASYNC;

    public static DataDurability of(MPDCluster cluster) {
        String value = cluster.getSpec() == null ? null : cluster.getSpec().getDataDurability();
        if (value == null || value.isBlank()) {
            return REQUIRED;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.dataDurability of MPDCluster " + cluster.businessKey() + " is '"
                    + value + "'; use required, preferred or async");
        }
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
