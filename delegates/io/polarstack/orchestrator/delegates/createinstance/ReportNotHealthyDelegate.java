package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_ReportNotHealthy: after the wait timed out, asks once more; still not running becomes an incident saying why. */
@Component
public class ReportNotHealthyDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public ReportNotHealthyDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, (String) execution.getVariable("insId"));
        var health = manager.health(ClusterSteps.target(cluster, instance));
        if (health.state() != ManagerClient.HealthState.RUNNING) {
            throw new IllegalStateException("instance " + instance.getInsId() + " (pod " + instance.getPodName()
                    + ") is " + health.state() + (health.locked() ? " behind /data/ins_lock" : "") + ": "
                    + health.detail()
                    + "; read /log in its manager container, fix the cause, then retry this step");
        }
    }
}
