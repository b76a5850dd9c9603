package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_CheckInstanceHealth: sets {@code healthy} when the engine answers (starting up is not yet healthy). */
@Component
public class CheckInstanceHealthDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public CheckInstanceHealthDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, (String) execution.getVariable("insId"));
        var health = manager.health(ClusterSteps.target(cluster, instance));
        execution.setVariable("healthy", health.state() == ManagerClient.HealthState.RUNNING);
    }
}
