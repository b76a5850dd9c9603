package io.polarstack.orchestrator.delegates.common;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.ports.ClusterResources;

/**
 * Task_EnableHa: from now on the HA monitor fails the RW over when it dies, unless the annotation
 * autoFailover=false says no. Writes one condition, so it is safe to repeat.
 */
@Component
public class EnableHaDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public EnableHaDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        resources.updateStatus(ClusterSteps.namespace(execution), ClusterSteps.name(execution), status -> AutoFailover.enable(cluster, status));
    }
}
