package io.polarstack.orchestrator.delegates.modifyclass;

import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.RollingReplace;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClassParams;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_PlanClassChange: the class {@code className} must be in the catalog (an incident names its ConfigMap before
 * anything changes); then the order of the replacements, and the event says which parameters change. Reads only.
 */
@Component
public class PlanClassChangeDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterCatalog catalog;

    public PlanClassChangeDelegate(ClusterResources resources, ClusterCatalog catalog) {
        this.resources = resources;
        this.catalog = catalog;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String className = ClassChange.className(execution);
        var target = catalog.classResources(cluster, className);
        String plan = RollingReplace.plan(execution, resources, cluster, FlowKeys.MODIFY_CLASS);
        var current = ClassChange.current(resources, cluster, ParamsConfigMaps.runningParamsName(cluster));
        // Refused here, before the RW is touched: every parameter of the new class and of the running params.
        String flavour = ClusterSteps.flavour(cluster).name().toLowerCase(java.util.Locale.ROOT);
        ParamsConfigMaps.requireAllowed(flavour, "class " + className, catalog.classParams(className));
        ParamsConfigMaps.requireAllowed(
                flavour,
                "ConfigMap " + cluster.getMetadata().getNamespace() + "/" + ParamsConfigMaps.runningParamsName(cluster),
                current);
        var next = ClassChange.next(catalog, cluster, className, current);
        var lowered = ClassParams.lowered(current, next);
        resources.event(
                cluster,
                "Normal",
                "ClassChangePlanned",
                "to class " + className + " (cpu " + target.cpuLimit() + ", memory "
                        + target.memoryLimit() + " bytes): parameters " + ClassParams.changes(current, next) + "; "
                        + (lowered.isEmpty() ? "" : "first the RW lowers " + lowered + " (a restart), then ") + plan);
    }
}
