package io.polarstack.orchestrator.delegates.common;

import java.util.Map;
import java.util.Objects;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;

/** The AutoFailover condition as the flows set it (the HA monitor reads it). */
public final class AutoFailover {

    private AutoFailover() {
    }

    public static boolean offByAnnotation(MPDCluster cluster) {
        Map<String, String> annotations = Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        return "false".equalsIgnoreCase(annotations.get(Conditions.AUTO_FAILOVER_ANNOTATION));
    }

    /** On, or off with the reason when the annotation says so. */
    public static void enable(MPDCluster cluster, MPDClusterStatus status) {
        if (offByAnnotation(cluster)) {
            Conditions.set(status, Conditions.AUTO_FAILOVER, false, "DisabledByAnnotation", "annotation "
                    + Conditions.AUTO_FAILOVER_ANNOTATION + "=false; remove it to turn automatic failover on");
        } else {
            Conditions.set(status, Conditions.AUTO_FAILOVER, true, "Enabled", "the HA monitor fails the RW over when it dies");
        }
    }
}
