package io.polarstack.orchestrator.delegates.modifyclass;

import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClassParams;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * The parameters of a ModifyClass: what the engines run with now ({@code <cluster>-running-params}) and what they run
 * with in the new class ({@code className}). spec.classInfo names the old class until the flow's last step, so every
 * step computes the same answer however often it runs.
 */
final class ClassChange {

    static final String CLASS_NAME = "className";

    private ClassChange() {}

    static String className(DelegateExecution execution) {
        String className = (String) execution.getVariable(CLASS_NAME);
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("ModifyClass needs className (spec.classInfoModifyTo.className)");
        }
        return className;
    }

    /** The values in params ConfigMap {@code name}; empty when it is gone. */
    static Map<String, String> current(ClusterResources resources, MPDCluster cluster, String name) {
        return ParamsConfigMaps.values(
                name,
                resources
                        .configMapData(cluster.getMetadata().getNamespace(), name)
                        .orElse(Map.of()));
    }

    /** {@code current} with the new class's values where the user never changed the old class's. */
    static Map<String, String> next(
            ClusterCatalog catalog, MPDCluster cluster, String className, Map<String, String> current) {
        return ClassParams.moved(
                current,
                catalog.classParams(cluster.getSpec().getClassInfo().getClassName()),
                catalog.classParams(className));
    }
}
