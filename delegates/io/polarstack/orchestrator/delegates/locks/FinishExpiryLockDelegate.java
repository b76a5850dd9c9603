package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_FinishExpiryLock: condition Expired=True (reason Expired) and a Warning event saying how to lift it. */
@Component
public class FinishExpiryLockDelegate implements JavaDelegate {

    static final String EXPIRED = "Expired";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public FinishExpiryLockDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ClusterSteps.cluster(resources, execution);
        String message = "expired: every engine is stopped behind its stop lock, the containers run; annotate "
                + Annotations.EXPIRED + "=false to start them again";
        var updated = status.condition(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Conditions.EXPIRED,
                true,
                EXPIRED,
                message);
        resources.event(updated, "Warning", "ClusterExpired", message);
    }
}
