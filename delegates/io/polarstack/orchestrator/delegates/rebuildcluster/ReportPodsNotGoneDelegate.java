package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ReportPodsNotGone: the removal (Timer_RemovePodsTimeout) or the wait (Timer_PodsGoneTimeout) ran out; one more
 * look, and an incident naming the pods still there.
 */
@Component
public class ReportPodsNotGoneDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public ReportPodsNotGoneDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var remaining = CheckPodsGoneDelegate.remaining(resources, cluster);
        if (!remaining.isEmpty()) {
            throw new IllegalStateException("pods still there: " + remaining + ". A pod on a node that is down only"
                    + " goes with kubectl -n " + cluster.getMetadata().getNamespace()
                    + " delete pod <name> --force --grace-period=0"
                    + " (make sure its engine cannot run any more); then retry this step");
        }
    }
}
