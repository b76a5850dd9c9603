package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_FinishExpiryUnlock: condition Expired=False and a Normal event; the HA monitor watches the cluster again from
 * its next refresh.
 */
@Component
public class FinishExpiryUnlockDelegate implements JavaDelegate {

    static final String RENEWED = "Renewed";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public FinishExpiryUnlockDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ClusterSteps.cluster(resources, execution);
        String message = "every engine runs again and answers its health check";
        var updated = status.condition(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Conditions.EXPIRED,
                false,
                RENEWED,
                message);
        resources.event(updated, "Normal", "ClusterRenewed", message);
    }
}
