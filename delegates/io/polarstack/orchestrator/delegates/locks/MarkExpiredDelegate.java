package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_MarkExpired: condition Expired=True before any engine stops, so the HA monitor, which reads it before it
 * acts on a failed RW, takes the stopped engines for the lock they are and never fails the cluster over.
 */
@Component
public class MarkExpiredDelegate implements JavaDelegate {

    static final String LOCKING = "Locking";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public MarkExpiredDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ClusterSteps.cluster(resources, execution);
        status.condition(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Conditions.EXPIRED,
                true,
                LOCKING,
                "expired: stopping every engine behind its stop lock");
    }
}
