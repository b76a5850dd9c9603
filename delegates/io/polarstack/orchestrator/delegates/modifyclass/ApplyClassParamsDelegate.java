package io.polarstack.orchestrator.delegates.modifyclass;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClassParams;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.time.Instant;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ApplyClassParams: {@code <cluster>-user-params} and {@code <cluster>-running-params} take the new class's
 * parameters where the user never changed the old class's. Every new instance is installed from the running
 * params, so this comes before the first replacement. A re-run finds nothing left to change.
 */
@Component
public class ApplyClassParamsDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterCatalog catalog;

    public ApplyClassParamsDelegate(ClusterResources resources, ClusterCatalog catalog) {
        this.resources = resources;
        this.catalog = catalog;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String className = ClassChange.className(execution);
        String ns = cluster.getMetadata().getNamespace();
        // Checked before either ConfigMap is written: a class with a parameter off the allow list changes neither.
        ParamsConfigMaps.requireAllowed(
                ClusterSteps.flavour(cluster).name().toLowerCase(java.util.Locale.ROOT),
                "class " + className,
                catalog.classParams(className));
        for (String name :
                List.of(ParamsConfigMaps.userParamsName(cluster), ParamsConfigMaps.runningParamsName(cluster))) {
            var data = resources.configMapData(ns, name).orElse(java.util.Map.of());
            var current = ParamsConfigMaps.values(name, data);
            var changes = ClassParams.changes(current, ClassChange.next(catalog, cluster, className, current));
            if (!changes.isEmpty()) {
                resources.apply(ParamsConfigMaps.update(cluster, name, data, changes, Instant.now()));
                resources.event(
                        cluster, "Normal", "ParamsUpdated", name + ": " + changes + " (class " + className + ")");
            }
        }
    }
}
