package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.delegates.common.BackgroundRuns;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.ReplicaSlots;
import io.polarstack.orchestrator.specs.Labels;
import java.util.Map;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_RejoinOldRw: the old RW comes back as an RO of the new one (rewound onto its timeline when it had
 * diverged), through its own slot ({@link ReplicaSlots}; a slot an older version named after the logicId is dropped
 * afterwards), and the RO Service takes it again. When it cannot rejoin (pod gone, rewind
 * impossible) {@code Error_CannotRejoin} sends the flow to RebuildInstance: a new instance in its slot. The rejoin
 * itself (stop, pg_rewind, start: minutes) runs in the background in the old RW's manager container; each execution
 * of this step starts or polls it and sets {@code rejoined}, and Timer_RecheckRejoin comes back while it runs.
 */
@Component
public class RejoinOldRwDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(RejoinOldRwDelegate.class);
    static final String CANNOT_REJOIN = "Error_CannotRejoin";
    static final String REJOINED = "rejoined";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ManagerClient manager;

    public RejoinOldRwDelegate(ClusterResources resources, ClusterStatusWriter status, ManagerClient manager) {
        this.resources = resources;
        this.status = status;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var oldRw = FailoverSteps.oldRw(cluster, execution);
        var newRw = FailoverSteps.candidate(cluster, execution);
        String ns = cluster.getMetadata().getNamespace();
        if (resources.pod(ns, oldRw.getPodName()).isEmpty()) {
            throw cannotRejoin(cluster, oldRw, "its pod is gone");
        }
        var slot = ReplicaSlots.of(oldRw);
        var newRwTarget = ClusterSteps.target(cluster, newRw);
        manager.createSlot(newRwTarget, ManagerClient.SlotType.REPLICA, slot.custinsId(), slot.slotUniqueName());
        boolean rewound;
        try {
            var run = manager.rejoinInBackground(
                    ClusterSteps.target(cluster, oldRw),
                    ClusterSteps.primary(resources, cluster, newRw),
                    slot.custinsId(),
                    slot.slotUniqueName(),
                    BackgroundRuns.runId(execution, oldRw.getInsId()));
            execution.setVariable(REJOINED, run.done());
            if (!run.done()) {
                return;
            }
            rewound = Boolean.parseBoolean(run.result().get("rewound"));
        } catch (ManagerClient.ManagerException e) {
            if ("REWIND_FAILED".equals(e.code())) {
                throw cannotRejoin(cluster, oldRw, e.getMessage());
            }
            throw e;
        }
        ClusterSteps.dropLegacySlot(manager, cluster, newRwTarget, oldRw);
        resources.labelPod(ns, oldRw.getPodName(), Map.of(Labels.ROLE, InstanceRole.RO));
        var updated = status.rejoined(ns, cluster.getMetadata().getName(), oldRw.getInsId());
        LOG.info(
                "old RW {} rejoined as an RO of {}{}", oldRw.getInsId(), newRw.getInsId(), rewound ? " (rewound)" : "");
        resources.event(
                updated,
                "Normal",
                "RoRejoined",
                "the old RW " + oldRw.getInsId() + " follows " + newRw.getInsId() + " as an RO"
                        + (rewound ? " (its diverged WAL was rewound)" : ""));
    }

    private BpmnError cannotRejoin(
            io.polarstack.orchestrator.api.MPDCluster cluster,
            io.polarstack.orchestrator.api.InstanceStatus oldRw,
            String why) {
        String message = "the old RW " + FailoverSteps.describe(oldRw) + " cannot rejoin (" + why
                + "); RebuildInstance replaces it" + " with a new instance in its slot";
        LOG.warn(message);
        resources.event(cluster, "Warning", "RejoinFailed", message);
        return new BpmnError(CANNOT_REJOIN, message);
    }
}
