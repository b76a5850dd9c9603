package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_UpdateRunningStatus: the cluster is Running; the operator looks at it again for the next request. */
@Component
public class UpdateRunningStatusDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public UpdateRunningStatusDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = status.running(ClusterSteps.namespace(execution), ClusterSteps.name(execution));
        resources.event(cluster, "Normal", "Running", "the cluster runs");
    }
}
