package io.polarstack.orchestrator.delegates.migrateinstance;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.InstancePlacement;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_RejectMigration: the target node cannot take the instance, and nothing was changed. The {@code migrate}
 * annotation goes, and OperationAvailable=False (reason TARGET_NODE_UNAVAILABLE) and an event say why; annotate
 * again once the node can take it.
 */
@Component
public class RejectMigrationDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public RejectMigrationDelegate(ClusterResources resources, ClusterStatusWriter status) {
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
                Annotations.MIGRATE,
                FinishMigrationDelegate.asksFor(insId, (String) execution.getVariable("targetNode")),
                InstancePlacement.TARGET_NODE_UNAVAILABLE,
                "migration of " + insId + " refused: "
                        + (refusal == null ? InstancePlacement.TARGET_NODE_UNAVAILABLE : refusal));
    }
}
