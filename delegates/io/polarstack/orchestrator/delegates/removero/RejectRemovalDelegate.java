package io.polarstack.orchestrator.delegates.removero;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;

/**
 * Task_RejectRemoval: removeIns named the RW; nothing was changed. The annotation goes, and OperationAvailable=False
 * (reason RW_NOT_REMOVABLE) and an event say why.
 */
@Component
public class RejectRemovalDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public RejectRemovalDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = (String) execution.getVariable("insId");
        String refusal = (String) execution.getVariable("refusal");
        Requests.refuse(resources, cluster, "removeIns", insId::equals, CheckRemoveRoDelegate.RW_NOT_REMOVABLE,
                refusal == null ? CheckRemoveRoDelegate.RW_NOT_REMOVABLE + ": " + insId + " is the RW" : refusal);
    }
}
