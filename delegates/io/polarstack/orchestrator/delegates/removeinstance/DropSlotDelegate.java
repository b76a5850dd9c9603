package io.polarstack.orchestrator.delegates.removeinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.ReplicaSlots;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_DropSlot: the instance's replication slot on the RW ({@code replica_<physicalInsId>_<insId>}, and the
 * {@code replica_<logicId>_<insId>} an older version made) goes, so the RW stops keeping WAL for it. The agent ends a
 * walsender still holding it; a missing slot is a no-op.
 */
@Component
public class DropSlotDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public DropSlotDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = RemoveSteps.instance(cluster, execution);
        if (instance == null) {
            return;
        }
        RemoveSteps.refuseRw(cluster, instance);
        var rw = ClusterSteps.target(cluster, ClusterSteps.rw(cluster));
        var slot = ReplicaSlots.of(instance);
        manager.removeSlot(rw, ManagerClient.SlotType.REPLICA, slot.custinsId(), slot.slotUniqueName());
        ClusterSteps.dropLegacySlot(manager, cluster, rw, instance);
    }
}
