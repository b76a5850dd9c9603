package io.polarstack.orchestrator.delegates.removeinstance;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;

/**
 * Task_RemoveInstanceEntry: the instance leaves status.dbInstanceStatus; the instance that replaced it (if any)
 * forgets it. Removing what is gone is a no-op.
 */
@Component
public class RemoveInstanceEntryDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public RemoveInstanceEntryDelegate(ClusterResources resources) {
        this.resources = resources;
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
        var updated = resources.updateStatus(ClusterSteps.namespace(execution), ClusterSteps.name(execution), status -> {
            status.getDbInstanceStatus().remove(insId);
            status.getDbInstanceStatus().values().stream().filter(i -> insId.equals(i.getReplacesInsId()))
                    .forEach(i -> i.setReplacesInsId(null));
        });
        resources.event(updated, "Normal", "InstanceRemoved", instance.getInsType() + " " + insId + " (pod " + instance.getPodName()
                + ") removed from slot " + instance.getPhysicalInsId());
    }
}
