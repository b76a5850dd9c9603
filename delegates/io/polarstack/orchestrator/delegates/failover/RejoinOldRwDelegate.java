package io.polarstack.orchestrator.delegates.failover;

import java.time.Instant;
import java.util.Map;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.specs.Labels;

/**
 * Task_RejoinOldRw: the old RW comes back as an RO of the new one (rewound onto its timeline when it had
 * diverged), through its own slot, and the RO Service takes it again. When it cannot rejoin (pod gone,
 * rewind impossible) it has to be replaced by a new instance in its slot, which this orchestrator cannot do
 * yet: the incident says so and what to do by hand.
 */
@Component
public class RejoinOldRwDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(RejoinOldRwDelegate.class);

    private final ClusterResources resources;
    private final ManagerClient manager;

    public RejoinOldRwDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var oldRw = FailoverSteps.oldRw(cluster, execution);
        var newRw = FailoverSteps.candidate(cluster, execution);
        String ns = cluster.getMetadata().getNamespace();
        String logicId = cluster.getStatus().getLogicId();
        String replace = ". It has to be replaced by a new instance in its slot, which this orchestrator cannot do yet"
                + " (ReplaceInstance): remove it with annotation removeIns=" + oldRw.getInsId() + " and add an RO, or rebuild"
                + " its data directory by hand; then retry this step";
        if (resources.pod(ns, oldRw.getPodName()).isEmpty()) {
            throw new IllegalStateException("the old RW " + FailoverSteps.describe(oldRw) + " cannot rejoin: its pod is gone" + replace);
        }
        manager.createSlot(ClusterSteps.target(cluster, newRw), ManagerClient.SlotType.REPLICA, logicId, oldRw.getInsId());
        boolean rewound;
        try {
            rewound = manager.rejoin(ClusterSteps.target(cluster, oldRw), ClusterSteps.primary(resources, cluster, newRw), logicId,
                    oldRw.getInsId());
        } catch (ManagerClient.ManagerException e) {
            if ("REWIND_FAILED".equals(e.code())) {
                throw new IllegalStateException("the old RW " + FailoverSteps.describe(oldRw) + " cannot rejoin: " + e.getMessage() + replace, e);
            }
            throw e;
        }
        resources.labelPod(ns, oldRw.getPodName(), Map.of(Labels.ROLE, "ro"));
        var updated = resources.updateStatus(ns, cluster.getMetadata().getName(), status -> {
            var entry = status.getDbInstanceStatus().get(oldRw.getInsId());
            entry.setInsType("ro");
            if (entry.getCurrentState() == null || !"RUNNING".equals(entry.getCurrentState().getState())) {
                var state = new InstanceState();
                state.setState("RUNNING");
                state.setStartAt(Instant.now().toString());
                entry.setLastState(entry.getCurrentState());
                entry.setCurrentState(state);
            }
        });
        LOG.info("old RW {} rejoined as an RO of {}{}", oldRw.getInsId(), newRw.getInsId(), rewound ? " (rewound)" : "");
        resources.event(updated, "Normal", "RoRejoined", "the old RW " + oldRw.getInsId() + " follows " + newRw.getInsId() + " as an RO"
                + (rewound ? " (its diverged WAL was rewound)" : ""));
    }
}
