package io.polarstack.orchestrator.delegates.removero;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_RejectRemoval: removeIns named the RW; nothing was changed. The annotation goes, and OperationAvailable=False
 * (reason RW_NOT_REMOVABLE) and an event say why.
 */
@Component
public class RejectRemovalDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public RejectRemovalDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = (String) execution.getVariable("insId");
        String refusal = (String) execution.getVariable("refusal");
        Requests.refuse(
                resources,
                status,
                cluster,
                Annotations.REMOVE_INS,
                insId::equals,
                CheckRemoveRoDelegate.RW_NOT_REMOVABLE,
                refusal == null ? CheckRemoveRoDelegate.RW_NOT_REMOVABLE + ": " + insId + " is the RW" : refusal);
    }
}
