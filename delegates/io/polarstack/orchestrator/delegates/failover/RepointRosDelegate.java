package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.ReplicaSlots;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_RepointRos: every other RO streams from the new RW through its own slot there ({@link ReplicaSlots}); a slot
 * an older version named after the logicId is dropped once the RO streams through the new one. Slot creation, follow
 * and the drop are all no-ops when done, so a retry after a partial run finishes the rest.
 */
@Component
public class RepointRosDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(RepointRosDelegate.class);

    private final ClusterResources resources;
    private final ManagerClient manager;

    public RepointRosDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var newRw = FailoverSteps.candidate(cluster, execution);
        String oldRwId = (String) execution.getVariable(FailoverSteps.OLD_RW);
        var primary = ClusterSteps.primary(resources, cluster, newRw);
        var newRwTarget = ClusterSteps.target(cluster, newRw);
        for (var ro : ClusterSteps.ros(cluster)) {
            if (ro.getInsId().equals(oldRwId)) {
                continue; // the old RW rejoins in its own step
            }
            var slot = ReplicaSlots.of(ro);
            manager.createSlot(newRwTarget, ManagerClient.SlotType.REPLICA, slot.custinsId(), slot.slotUniqueName());
            boolean changed =
                    manager.follow(ClusterSteps.target(cluster, ro), primary, slot.custinsId(), slot.slotUniqueName());
            ClusterSteps.dropLegacySlot(manager, cluster, newRwTarget, ro);
            LOG.info(
                    "RO {} {} the new RW {}",
                    ro.getInsId(),
                    changed ? "now follows" : "already followed",
                    newRw.getInsId());
        }
    }
}
