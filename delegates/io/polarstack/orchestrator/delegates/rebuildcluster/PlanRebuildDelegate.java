package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.NewInstances;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_PlanRebuild (PolarDB Stack's CleanTempRoMeta and the metadata half of RemoveAllInsPod): the old RW a finished
 * switchover left behind (the one the RW replaces) leaves status; the RW and every RO are marked not installed and
 * PENDING, so CreateInstance makes their pods and starts them on their data again. Sets {@code rwInsId},
 * {@code roInsIds}, {@code keepData} and what CreateInstance needs (storage mode, the spec's images). Writes values,
 * never toggles: a second run writes the same.
 */
@Component
public class PlanRebuildDelegate implements JavaDelegate {

    public static final String KEEP_DATA = "keepData";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ClusterCatalog catalog;

    public PlanRebuildDelegate(ClusterResources resources, ClusterStatusWriter status, ClusterCatalog catalog) {
        this.resources = resources;
        this.status = status;
        this.catalog = catalog;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        NewInstances.createVariables(
                execution, catalog, cluster); // an unknown version or class fails here, before any change
        var rw = ClusterSteps.rw(cluster);
        String oldRw = rw.getReplacesInsId() != null
                        && NewInstances.entries(cluster.getStatus()).containsKey(rw.getReplacesInsId())
                ? rw.getReplacesInsId()
                : null;
        // An old RW switched away from already: only its removal was left, and it never had a slot on the new RW.
        var updated = status.rebuildPlanned(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                rw.getInsId(),
                oldRw,
                RebuildSteps::leftOut);
        var ros = ClusterSteps.ros(updated).stream()
                .filter(i -> !RebuildSteps.leftOut(i))
                .map(i -> i.getInsId())
                .toList();
        execution.setVariable("rwInsId", rw.getInsId());
        execution.setVariable("roInsIds", IdList.join(ros));
        execution.setVariable(KEEP_DATA, true);
        var leftOut = RebuildSteps.leftOut(updated);
        resources.event(
                updated,
                "Normal",
                "RebuildPlanned",
                "rw " + rw.getInsId() + " first, then ros " + ros + ", each on its own data"
                        + (ClusterSteps.share(updated) ? " (the LUN)" : " (its data directory, on its node)")
                        + (oldRw == null
                                ? ""
                                : "; old rw " + oldRw + " (already switched away from) removed from status")
                        + (leftOut.isEmpty()
                                ? ""
                                : "; not started: " + leftOut + " (remove with annotation removeIns=<insId>)"));
    }
}
