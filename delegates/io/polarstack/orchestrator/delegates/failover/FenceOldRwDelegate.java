package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.service.FenceProof;
import io.polarstack.orchestrator.specs.Labels;
import java.util.Map;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_FenceOldRw: the old RW can no longer write before anything is promoted. Share mode: the write
 * reservation moves to the candidate's node (preempt, verified by reading it back); the old RW is also stopped
 * where it can be reached. Local mode: only proof counts: the old RW stopped under the stop lock (by its manager here,
 * or by a planned switchover's StopOldRw), its node's out-of-service taint, its pod gone from a Ready node
 * ({@link FenceProof}), or a person's confirmation at Task_ConfirmOldRwStopped. Without proof: {@code
 * Error_FenceUnproven} with the facts in {@code fenceFacts}, and the flow waits for one (rechecking every 10 s).
 * Both modes' actions are idempotent.
 */
@Component
public class FenceOldRwDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(FenceOldRwDelegate.class);
    static final int STOP_TIMEOUT_SECONDS = 30;
    static final String FENCE_UNPROVEN = "Error_FenceUnproven";
    /** What was tried and why it is no proof, for the person at Task_ConfirmOldRwStopped. */
    static final String FACTS = "fenceFacts";
    /** Who completed Task_ConfirmOldRwStopped (its complete listener sets it). */
    static final String ANSWERED_BY = "fenceAnsweredBy";

    private final ClusterResources resources;
    private final ManagerClient manager;
    private final StorageFabric storage;

    public FenceOldRwDelegate(ClusterResources resources, ManagerClient manager, StorageFabric storage) {
        this.resources = resources;
        this.manager = manager;
        this.storage = storage;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var oldRw = FailoverSteps.oldRw(cluster, execution);
        String ns = cluster.getMetadata().getNamespace();
        // First out of the RW Service, so new connections stop reaching it even if its engine restarts meanwhile.
        if (resources.pod(ns, oldRw.getPodName()).isPresent()) {
            resources.labelPod(ns, oldRw.getPodName(), Map.of(Labels.ROLE, MoveRwRoleDelegate.FENCED));
        }
        if (ClusterSteps.share(cluster)) {
            var candidate = FailoverSteps.candidate(cluster, execution);
            String node = resources
                    .pod(ns, candidate.getPodName())
                    .map(ClusterResources.PodState::nodeName)
                    .orElseThrow(
                            () -> new IllegalStateException(
                                    "the candidate's pod " + ns + "/" + candidate.getPodName()
                                            + " is gone; nothing to move the"
                                            + " write lock to. Cancel this Failover (annotation cancelled=true) and start it again to choose another RO"));
            String wwid = cluster.getSpec().getShareStore().getVolumeId();
            StorageFabric.Reservation reservation;
            try {
                reservation = storage.lockWrite(wwid, node);
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "cannot move the write lock on " + wwid + " to " + node + " (the candidate "
                                + candidate.getInsId() + "'s node): " + e.getMessage()
                                + ". Nothing was promoted and the old RW's node still"
                                + " holds the lock. Fix the storage path (GET /api/v1/storage/hosts/" + node
                                + "/luns shows what the host"
                                + " sees), then retry this step",
                        e);
            }
            LOG.info(
                    "write lock on {} moved to {} (registered keys {})",
                    reservation.wwid(),
                    node,
                    reservation.registeredKeys());
            try {
                manager.stop(
                        ClusterSteps.target(cluster, oldRw), ManagerClient.StopMode.IMMEDIATE, STOP_TIMEOUT_SECONDS);
            } catch (RuntimeException e) {
                LOG.info("old RW {} not stopped ({}); the write lock fences it", oldRw.getInsId(), e.getMessage());
            }
            return;
        }
        if (Boolean.TRUE.equals(execution.getVariable(FailoverSteps.OLD_RW_STOPPED))) {
            String by = (String) execution.getVariable(ANSWERED_BY);
            if (by == null) {
                LOG.info("old RW {} was stopped under the stop lock by this switchover", oldRw.getInsId());
                return;
            }
            String message = by + " confirmed in Tasklist that the old RW " + FailoverSteps.describe(oldRw)
                    + " is stopped (or its node powered off); promoting on that word";
            LOG.warn("MPDCluster {}: {}", cluster.businessKey(), message);
            resources.event(cluster, "Warning", "FenceConfirmedByOperator", message);
            return;
        }
        var pod = resources.pod(ns, oldRw.getPodName()).orElse(null);
        String nodeName = pod != null && pod.nodeName() != null ? pod.nodeName() : oldRw.getNodeName();
        var node = nodeName == null ? null : resources.node(nodeName).orElse(null);
        // A node marked out of service is down: no exec toward it, which would only time out.
        String taint = FenceProof.outOfService(nodeName, node);
        if (taint != null) {
            LOG.info("old RW {}: {}, so it cannot write", oldRw.getInsId(), taint);
            return;
        }
        String stopFailure;
        try {
            var result = manager.stop(
                    ClusterSteps.target(cluster, oldRw), ManagerClient.StopMode.IMMEDIATE, STOP_TIMEOUT_SECONDS);
            LOG.info("old RW {} {}", oldRw.getInsId(), result.alreadyStopped() ? "was already stopped" : "stopped");
            return;
        } catch (RuntimeException e) {
            stopFailure = e.getMessage();
        }
        var outcome = FenceProof.afterFailedStop(FailoverSteps.describe(oldRw), nodeName, pod, node, stopFailure);
        if (outcome.proven()) {
            LOG.info("old RW {}: {}, so it cannot write", oldRw.getInsId(), outcome.account());
            return;
        }
        String evidence = (String) execution.getVariable(ConfirmRwDownDelegate.EVIDENCE);
        String facts = outcome.account() + (evidence == null ? "" : " Failover decision: " + evidence);
        LOG.warn("MPDCluster {}: {}", cluster.businessKey(), facts);
        if (!facts.equals(execution.getVariable(FACTS))) { // every 10 s a recheck: one event per new state of things
            resources.event(cluster, "Warning", "FenceUnproven", outcome.account());
        }
        execution.setVariable(FACTS, facts);
        throw new BpmnError(FENCE_UNPROVEN, outcome.account());
    }
}
