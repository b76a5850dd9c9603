package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.util.Map;
import java.util.Objects;

/** The AutoFailover condition as the flows set it (the HA monitor reads it). */
public final class AutoFailover {

    private AutoFailover() {}

    public static boolean offByAnnotation(MPDCluster cluster) {
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        return "false".equalsIgnoreCase(annotations.get(Annotations.AUTO_FAILOVER));
    }

    /** On, or off with the reason when the annotation says so. */
    public static void enable(ClusterStatusWriter status, MPDCluster cluster) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        if (offByAnnotation(cluster)) {
            status.condition(
                    namespace,
                    name,
                    Conditions.AUTO_FAILOVER,
                    false,
                    Conditions.DISABLED_BY_ANNOTATION,
                    "annotation " + Annotations.AUTO_FAILOVER + "=false; remove it to turn automatic failover on");
        } else {
            status.condition(
                    namespace,
                    name,
                    Conditions.AUTO_FAILOVER,
                    true,
                    Conditions.ENABLED,
                    "the HA monitor fails the RW over when it dies");
        }
    }
}
