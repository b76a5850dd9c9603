package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.specs.Labels;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_FenceOldRw: the old RW can no longer write before anything is promoted. Share mode: the write
 * reservation moves to the candidate's node (preempt, verified by reading it back); the old RW is also stopped
 * where it can be reached. Local mode: the old RW is stopped (immediate) under the stop lock, so its supervisor
 * cannot bring it back (a planned switchover's StopOldRw already did that); if its manager cannot be reached, only a pod that is gone counts as proof. Anything
 * else fails the step: an incident, never a skip. Both actions are idempotent.
 */
@Component
public class FenceOldRwDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(FenceOldRwDelegate.class);
    static final int STOP_TIMEOUT_SECONDS = 30;

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
            LOG.info("old RW {} was stopped under the stop lock by this switchover", oldRw.getInsId());
            return;
        }
        try {
            var result = manager.stop(
                    ClusterSteps.target(cluster, oldRw), ManagerClient.StopMode.IMMEDIATE, STOP_TIMEOUT_SECONDS);
            LOG.info("old RW {} {}", oldRw.getInsId(), result.alreadyStopped() ? "was already stopped" : "stopped");
        } catch (RuntimeException e) {
            var pod = resources.pod(ns, oldRw.getPodName());
            if (pod.isEmpty()) {
                LOG.info("old RW {}: pod {} is gone, so it cannot write", oldRw.getInsId(), oldRw.getPodName());
                return;
            }
            throw new IllegalStateException(
                    "cannot fence the old RW " + FailoverSteps.describe(oldRw) + ": its manager did not stop it ("
                            + e.getMessage() + ") and the pod still exists (phase "
                            + pod.get().phase() + "). Nothing was promoted. Make sure"
                            + " it cannot write (stop it, or power off node "
                            + pod.get().nodeName() + " and delete the pod with --force), then"
                            + " retry this step",
                    e);
        }
    }
}
