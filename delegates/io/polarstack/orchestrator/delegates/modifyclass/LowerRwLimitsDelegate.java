package io.polarstack.orchestrator.delegates.modifyclass;

import io.polarstack.orchestrator.delegates.common.BackgroundRuns;
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

    static final String LOWERED = "rwLimitsLowered";
    /** Set once the RW's restart run is started: the polls that follow only read it (params-update would be busy). */
    static final String RESTARTING = "rwRestartStarted";

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var rw = ClusterSteps.rw(cluster);
        var target = ClusterSteps.target(cluster, rw);
        String runId = BackgroundRuns.runId(execution, "restart-" + rw.getInsId());
        if (Boolean.TRUE.equals(execution.getVariable(RESTARTING))) {
            var run = manager.restartInBackground(target, runId);
            execution.setVariable(LOWERED, run.done());
            if (run.done()) {
                restarted(cluster, rw, execution);
            }
            return;
        }
        execution.setVariable(LOWERED, true);
        var current = ClassChange.current(resources, cluster, ParamsConfigMaps.runningParamsName(cluster));
        var lowered = ClassParams.lowered(
                current, ClassChange.next(catalog, cluster, ClassChange.className(execution), current));
        if (lowered.isEmpty()) {
            return;
        }
        var result = manager.updateParams(target, lowered);
        if (result.pendingRestart().isEmpty()) {
            LOG.info("RW {} already runs with {}", rw.getInsId(), lowered);
            return;
        }
        // A restart (a stop that may wait for sessions, then crash recovery) can outlast a step: it runs in the
        // background and this step polls it.
        execution.setVariable(LOWERED_PARAMS, lowered.toString());
        var run = manager.restartInBackground(target, runId);
        execution.setVariable(RESTARTING, true);
        execution.setVariable(LOWERED, run.done());
        if (run.done()) {
            restarted(cluster, rw, execution);
        }
    }

    private static final String LOWERED_PARAMS = "rwLoweredParams";

    private void restarted(
            io.polarstack.orchestrator.api.MPDCluster cluster,
            io.polarstack.orchestrator.api.InstanceStatus rw,
            DelegateExecution execution) {
        resources.event(
                cluster,
                "Normal",
                "RwRestarted",
                "RW " + rw.getInsId() + " restarted with " + execution.getVariable(LOWERED_PARAMS)
                        + ": a replica must not run with less than its primary, so the RW goes first when the class lowers them");
    }
}
