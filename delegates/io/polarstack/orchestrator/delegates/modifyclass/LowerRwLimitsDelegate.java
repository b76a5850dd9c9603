package io.polarstack.orchestrator.delegates.modifyclass;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.ClassParams;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_LowerRwLimits: when the new class lowers max_connections (or another setting a hot standby needs at least as
 * high as its primary), the RW takes the lower value first, with the restart that needs; only then can replicas with
 * the lower value follow it. Nothing goes down: nothing happens. A re-run finds nothing pending and does not restart
 * again.
 */
@Component
public class LowerRwLimitsDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(LowerRwLimitsDelegate.class);

    private final ClusterResources resources;
    private final ClusterCatalog catalog;
    private final ManagerClient manager;

    public LowerRwLimitsDelegate(ClusterResources resources, ClusterCatalog catalog, ManagerClient manager) {
        this.resources = resources;
        this.catalog = catalog;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var current = ClassChange.current(resources, cluster, ParamsConfigMaps.runningParamsName(cluster));
        var lowered = ClassParams.lowered(
                current, ClassChange.next(catalog, cluster, ClassChange.className(execution), current));
        if (lowered.isEmpty()) {
            return;
        }
        var rw = ClusterSteps.rw(cluster);
        var target = ClusterSteps.target(cluster, rw);
        var result = manager.updateParams(target, lowered);
        if (result.pendingRestart().isEmpty()) {
            LOG.info("RW {} already runs with {}", rw.getInsId(), lowered);
            return;
        }
        manager.restart(target);
        resources.event(
                cluster,
                "Normal",
                "RwRestarted",
                "RW " + rw.getInsId() + " restarted with " + lowered
                        + ": a replica must not run with less than its primary, so the RW goes first when the class lowers them");
    }
}
