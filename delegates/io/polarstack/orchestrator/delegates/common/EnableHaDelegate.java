package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_EnableHa: from now on the HA monitor fails the RW over when it dies, unless the annotation
 * autoFailover=false says no. Writes one condition, so it is safe to repeat.
 */
@Component
public class EnableHaDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public EnableHaDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        AutoFailover.enable(status, ClusterSteps.cluster(resources, execution));
    }
}
