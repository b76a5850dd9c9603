package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_CheckUnlockedHealth: every instance answers its health check as running and unlocked; anything else fails
 * the step (its retries, then an incident naming the instance), so the cluster is not reported back before it is.
 */
@Component
public class CheckUnlockedHealthDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public CheckUnlockedHealthDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        for (var instance : LockSteps.instances(cluster)) {
            var health = manager.health(ClusterSteps.target(cluster, instance));
            if (health.state() != ManagerClient.HealthState.RUNNING || health.locked()) {
                throw new IllegalStateException("instance " + instance.getInsId() + " is " + health.state()
                        + (health.locked() ? " and still behind its stop lock" : "") + " after the expiry unlock"
                        + (health.detail() == null ? "" : ": " + health.detail()));
            }
        }
    }
}
