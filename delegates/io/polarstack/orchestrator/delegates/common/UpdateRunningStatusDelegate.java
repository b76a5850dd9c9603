package io.polarstack.orchestrator.delegates.common;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.ports.ClusterResources;

/** Task_UpdateRunningStatus: the cluster is Running; the operator looks at it again for the next request. */
@Component
public class UpdateRunningStatusDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public UpdateRunningStatusDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = resources.updateStatus(ClusterSteps.namespace(execution), ClusterSteps.name(execution), status -> {
            status.setClusterStatus("Running");
            Conditions.set(status, Conditions.INTERRUPTED, false, "Running", "the cluster runs");
        });
        resources.event(cluster, "Normal", "Running", "the cluster runs");
    }
}
