package io.polarstack.orchestrator.delegates.removeinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_RemoveInstanceEntry: the instance leaves status.dbInstanceStatus; the instance that replaced it (if any)
 * forgets it. Removing what is gone is a no-op.
 */
@Component
public class RemoveInstanceEntryDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public RemoveInstanceEntryDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = RemoveSteps.instance(cluster, execution);
        if (instance == null) {
            return;
        }
        RemoveSteps.refuseRw(cluster, instance);
        String insId = instance.getInsId();
        var updated = status.instanceRemoved(ClusterSteps.namespace(execution), ClusterSteps.name(execution), insId);
        resources.event(
                updated,
                "Normal",
                "InstanceRemoved",
                instance.getInsType() + " " + insId + " (pod " + instance.getPodName() + ") removed from slot "
                        + instance.getPhysicalInsId());
    }
}
