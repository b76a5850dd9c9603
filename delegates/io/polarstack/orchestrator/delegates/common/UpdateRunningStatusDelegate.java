package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_UpdateRunningStatus: the cluster is Running; the operator looks at it again for the next request. A flow called
 * by another (the switchover of a ModifyClass, the rebuild of a Failover) leaves that to its caller, which is not done
 * yet.
 */
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
        if (execution.getProcessInstance().getSuperExecution() != null) {
            return;
        }
        var cluster = status.running(ClusterSteps.namespace(execution), ClusterSteps.name(execution));
        resources.event(cluster, "Normal", "Running", "the cluster runs");
    }
}
