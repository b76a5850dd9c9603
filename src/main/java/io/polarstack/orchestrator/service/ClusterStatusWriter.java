package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowStatus;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * The one writer of an MPDCluster's status: the flow and its step, an incident, the cluster state, conditions, and the
 * instance topology. Each operation is one {@link ClusterResources#updateStatus} of the latest status (retried there
 * when someone else wrote first), so it reads what it changes again and is safe to repeat. Returns the cluster as
 * written.
 */
@Component
public class ClusterStatusWriter {

    /** Longer instance state reasons are cut (a probe's detail can be long). */
    static final int MAX_REASON = 500;

    private final ClusterResources resources;

    public ClusterStatusWriter(ClusterResources resources) {
        this.resources = resources;
    }

    // ---- the flow ----

    /** A flow started on the cluster: it shows {@code state}, the new flow, FlowRunning and OperationAvailable. */
    public MPDCluster flowStarted(
            String namespace, String name, Long generation, String state, String flow, String processInstanceId) {
        return write(namespace, name, status -> {
            status.setClusterStatus(state);
            if (status.getFlow() == null
                    || !processInstanceId.equals(status.getFlow().getProcessInstanceId())) {
                status.setFlow(flow(flow, processInstanceId));
            }
            status.setObservedGeneration(generation);
            Conditions.set(status, Conditions.FLOW_RUNNING, true, flow, flow + " started");
            Conditions.set(status, Conditions.OPERATION_AVAILABLE, true, "FlowStarted", flow + " started");
        });
    }

    /** The flow {@code processInstanceId} (the top-level one) is at {@code step}; a previous incident is over. */
    public MPDCluster stepStarted(String namespace, String name, String flow, String processInstanceId, String step) {
        return write(namespace, name, status -> {
            FlowStatus current = status.getFlow() != null
                            && processInstanceId.equals(status.getFlow().getProcessInstanceId())
                    ? status.getFlow()
                    : flow(flow, processInstanceId);
            current.setStep(step);
            current.setIncident(null);
            status.setFlow(current);
            Conditions.set(status, Conditions.FLOW_RUNNING, true, current.getName(), "step " + step);
        });
    }

    /** The cluster's top-level flow ended, completed or cancelled. */
    public MPDCluster flowEnded(String namespace, String name, String flow, boolean cancelled) {
        return write(namespace, name, status -> {
            status.setFlow(null);
            Conditions.set(
                    status,
                    Conditions.FLOW_RUNNING,
                    false,
                    cancelled ? Conditions.CANCELLED : "Completed",
                    flow + (cancelled ? " was cancelled" : " completed") + " at " + Instant.now());
        });
    }

    /**
     * A step stopped with an incident: the cluster is Interrupt, the flow shows the step and {@code message}, and the
     * Interrupted condition says what failed and {@code howToResume}.
     */
    public MPDCluster incident(
            String namespace,
            String name,
            String flow,
            String processInstanceId,
            String step,
            String message,
            String howToResume) {
        return write(namespace, name, status -> {
            status.setClusterStatus(ClusterState.INTERRUPT);
            FlowStatus current = status.getFlow() == null ? flow(flow, processInstanceId) : status.getFlow();
            current.setStep(step);
            current.setIncident(message);
            status.setFlow(current);
            Conditions.set(
                    status,
                    Conditions.INTERRUPTED,
                    true,
                    "StepFailed",
                    step + " failed: " + message + ". " + howToResume);
        });
    }

    /** The flow was cancelled by request: the cluster is Interrupt with no flow. */
    public MPDCluster cancelled(String namespace, String name, String message) {
        return write(namespace, name, status -> {
            status.setClusterStatus(ClusterState.INTERRUPT);
            status.setFlow(null);
            Conditions.set(status, Conditions.INTERRUPTED, true, Conditions.CANCELLED, message);
        });
    }

    /**
     * The flow {@code processInstanceId} is gone from the engine without its end, the cluster left in its {@code state}:
     * the cluster is Interrupt with no flow. Empty, and nothing written, when the status shows anything else by now.
     */
    public java.util.Optional<MPDCluster> flowGone(
            String namespace, String name, String state, String processInstanceId, String message) {
        boolean[] gone = {false};
        MPDCluster written = write(namespace, name, status -> {
            gone[0] = status.getFlow() != null
                    && processInstanceId.equals(status.getFlow().getProcessInstanceId())
                    && state.equals(status.getClusterStatus());
            if (gone[0]) {
                status.setClusterStatus(ClusterState.INTERRUPT);
                status.setFlow(null);
                Conditions.set(status, Conditions.FLOW_RUNNING, false, "FlowGone", message);
                Conditions.set(status, Conditions.INTERRUPTED, true, "FlowGone", message);
            }
        });
        return gone[0] ? java.util.Optional.of(written) : java.util.Optional.empty();
    }

    /** An interrupt was cleared: the cluster is back in {@code state}, the flow's incident is gone. */
    public MPDCluster resumed(String namespace, String name, String state, String message) {
        return write(namespace, name, status -> {
            status.setClusterStatus(state);
            if (status.getFlow() != null) {
                status.getFlow().setIncident(null);
            }
            Conditions.set(status, Conditions.INTERRUPTED, false, "Resumed", message);
        });
    }

    // ---- state and conditions ----

    /** The cluster runs (the last step of every flow). */
    public MPDCluster running(String namespace, String name) {
        return write(namespace, name, status -> {
            status.setClusterStatus(ClusterState.RUNNING);
            Conditions.set(status, Conditions.INTERRUPTED, false, "Running", "the cluster runs");
        });
    }

    /** The storage quota an ExtendStorage made, as the spec wrote it. */
    public MPDCluster storageQuota(String namespace, String name, String quota) {
        return write(namespace, name, status -> status.setStorageQuota(quota));
    }

    public MPDCluster condition(
            String namespace, String name, String type, boolean value, String reason, String message) {
        return write(namespace, name, status -> Conditions.set(status, type, value, reason, message));
    }

    // ---- the instance topology ----

    /** The ids of a new cluster's instances, unless a previous run recorded them already. */
    public MPDCluster instancesPlanned(
            String namespace, String name, String logicId, Map<String, InstanceStatus> instances) {
        return write(namespace, name, status -> {
            if (status.getLogicId() == null) {
                status.setLogicId(logicId);
                status.setDbInstanceStatus(instances);
            }
        });
    }

    /** A new instance's entry, unless {@code allocated} finds one made by a previous run. */
    public MPDCluster instanceAllocated(
            String namespace, String name, InstanceStatus entry, Predicate<MPDClusterStatus> allocated) {
        return write(namespace, name, status -> {
            if (!allocated.test(status)) {
                status.getDbInstanceStatus().put(entry.getInsId(), entry);
            }
        });
    }

    /** Installed, running on {@code nodeName} at {@code hostIp}; the RW becomes the cluster's leader. */
    public MPDCluster instanceReady(String namespace, String name, String insId, String nodeName, String hostIp) {
        return write(namespace, name, status -> {
            var entry = status.getDbInstanceStatus().get(insId);
            entry.setInstalled(true);
            entry.setNodeName(nodeName);
            entry.setHostClientIP(hostIp);
            entry.getNetInfo().setWorkingHostIP(hostIp);
            moveTo(entry, "RUNNING", null);
            if (InstanceRole.rw(entry)) {
                status.setLeaderInstanceId(insId);
                status.setLeaderInstanceHost(nodeName);
            }
        });
    }

    /** The instance's {@code insType} ({@link InstanceRole}). */
    public MPDCluster role(String namespace, String name, String insId, String role) {
        return write(
                namespace,
                name,
                status -> status.getDbInstanceStatus().get(insId).setInsType(role));
    }

    /** The instance moves to {@code phase} (lastState keeps where it was) when {@code when} holds for its entry now. */
    public MPDCluster instanceState(
            String namespace, String name, String insId, Predicate<InstanceStatus> when, String phase, String reason) {
        return write(namespace, name, status -> {
            InstanceStatus entry = status.getDbInstanceStatus() == null
                    ? null
                    : status.getDbInstanceStatus().get(insId);
            if (entry != null && when.test(entry)) {
                moveTo(entry, phase, reason);
            }
        });
    }

    /** A former RW follows the new one: an RO, RUNNING. */
    public MPDCluster rejoined(String namespace, String name, String insId) {
        return write(namespace, name, status -> {
            var entry = status.getDbInstanceStatus().get(insId);
            entry.setInsType(InstanceRole.RO);
            if (entry.getCurrentState() == null
                    || !"RUNNING".equals(entry.getCurrentState().getState())) {
                moveTo(entry, "RUNNING", null);
            }
        });
    }

    /** The RW role moved: {@code newRw} leads, the old RW is an RO in {@code fencedPhase} until it rejoins. */
    public MPDCluster rwMoved(String namespace, String name, String newRw, String oldRw, String fencedPhase) {
        return write(namespace, name, status -> {
            var leader = status.getDbInstanceStatus().get(newRw);
            var old = status.getDbInstanceStatus().get(oldRw);
            leader.setInsType(InstanceRole.RW);
            if (!InstanceRole.ro(old)
                    || old.getCurrentState() == null
                    || !fencedPhase.equals(old.getCurrentState().getState())) {
                old.setInsType(InstanceRole.RO);
                moveTo(old, fencedPhase, null);
            }
            status.setLeaderInstanceId(newRw);
            status.setLeaderInstanceHost(leader.getNodeName());
        });
    }

    /** The instance leaves the topology; the instance that replaced it forgets it. */
    public MPDCluster instanceRemoved(String namespace, String name, String insId) {
        return write(namespace, name, status -> {
            status.getDbInstanceStatus().remove(insId);
            status.getDbInstanceStatus().values().stream()
                    .filter(i -> insId.equals(i.getReplacesInsId()))
                    .forEach(i -> i.setReplacesInsId(null));
        });
    }

    /**
     * Every instance but those {@code leftOut} starts again on its data: not installed, PENDING. {@code oldRw} (the one
     * a finished switchover left behind, or null) leaves the topology; the RW replaces nothing any more.
     */
    public MPDCluster rebuildPlanned(
            String namespace, String name, String rw, String oldRw, Predicate<InstanceStatus> leftOut) {
        return write(namespace, name, status -> {
            var entries = status.getDbInstanceStatus();
            if (oldRw != null) {
                entries.remove(oldRw);
            }
            entries.get(rw).setReplacesInsId(null);
            entries.values().stream().filter(leftOut.negate()).forEach(i -> {
                i.setInstalled(false);
                if (i.getCurrentState() == null
                        || !"PENDING".equals(i.getCurrentState().getState())) {
                    moveTo(i, "PENDING", "Rebuild");
                }
            });
        });
    }

    private MPDCluster write(String namespace, String name, Consumer<MPDClusterStatus> change) {
        return resources.updateStatus(namespace, name, change);
    }

    private static FlowStatus flow(String name, String processInstanceId) {
        FlowStatus flow = new FlowStatus();
        flow.setName(name);
        flow.setProcessInstanceId(processInstanceId);
        flow.setStartedAt(Instant.now().toString());
        return flow;
    }

    private static void moveTo(InstanceStatus instance, String phase, String reason) {
        var state = new InstanceState();
        state.setState(phase);
        if (reason != null) {
            state.setReason(reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "..." : reason);
        }
        state.setStartAt(Instant.now().toString());
        instance.setLastState(instance.getCurrentState());
        instance.setCurrentState(state);
    }
}
