package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/** The command annotations (PolarDB Stack's requests) a flow serves or refuses. */
public final class Requests {

    private Requests() {}

    /**
     * Removes {@code annotation} when its value still asks for what this flow did ({@code served}), so a request
     * changed meanwhile stays for the next flow.
     */
    public static void clear(
            ClusterResources resources, MPDCluster cluster, String annotation, Predicate<String> served) {
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        String value = annotations.get(annotation);
        if (value != null && served.test(value.trim())) {
            resources.annotate(
                    cluster.getMetadata().getNamespace(),
                    cluster.getMetadata().getName(),
                    Map.of(),
                    Set.of(annotation));
        }
    }

    /**
     * A request that cannot be served: the annotation goes (or the operator would start the same refusal again), the
     * condition OperationAvailable=False and a Warning event say why, with {@code reason} as the code.
     */
    public static void refuse(
            ClusterResources resources,
            ClusterStatusWriter status,
            MPDCluster cluster,
            String annotation,
            Predicate<String> refused,
            String reason,
            String message) {
        clear(resources, cluster, annotation, refused);
        var updated = status.condition(
                cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName(),
                Conditions.OPERATION_AVAILABLE,
                false,
                reason,
                message);
        resources.event(updated, "Warning", reason, message);
    }
}
