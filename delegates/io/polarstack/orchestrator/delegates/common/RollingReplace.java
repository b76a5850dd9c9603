package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.InstancePlacement;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * The plan of a rolling replacement (UpgradeMinorVersion, ModifyClass): every RO replaced in turn, then the RW by a
 * replacement and a planned switchover. Sets {@code roInsIds}, {@code rwInsId} and {@code rwSwitched}.
 */
public final class RollingReplace {

    public static final String RO_INS_IDS = "roInsIds";
    public static final String RW_INS_ID = "rwInsId";
    /** The switchover to the RW's replacement happened already (a flow started again after a cancel): only the removal is left. */
    public static final String RW_SWITCHED = "rwSwitched";

    private RollingReplace() {}

    /** Returns what the plan says, for the event; {@code flow} names the flow in an incident. */
    public static String plan(
            DelegateExecution execution, ClusterResources resources, MPDCluster cluster, String flow) {
        Map<String, InstanceStatus> entries = NewInstances.entries(cluster.getStatus());
        InstanceStatus rw = ClusterSteps.rw(cluster);
        // The RW replaced an old RW that is still there: a switchover done before this flow was cancelled and started
        // again.
        String oldRw = rw.getReplacesInsId() != null && entries.containsKey(rw.getReplacesInsId())
                ? rw.getReplacesInsId()
                : null;
        // A replacement under way is not replaced itself: ReplaceInstance of the instance it replaces goes on with it.
        List<String> ros = ClusterSteps.ros(cluster).stream()
                .filter(i -> !i.getInsId().equals(oldRw) && !replacesExisting(i, entries))
                .map(InstanceStatus::getInsId)
                .toList();
        boolean underway = oldRw != null || entries.values().stream().anyMatch(i -> replacesExisting(i, entries));
        if (!underway) {
            requireSpareNode(resources, cluster, flow);
        }
        execution.setVariable(RO_INS_IDS, IdList.join(ros));
        execution.setVariable(RW_INS_ID, oldRw != null ? oldRw : rw.getInsId());
        execution.setVariable(RW_SWITCHED, oldRw != null);
        return (ros.isEmpty() ? "no RO" : "ROs " + ros + " one after another") + ", then "
                + (oldRw != null
                        ? "the removal of the old RW " + oldRw + " (already switched over to " + rw.getInsId() + ")"
                        : "the RW " + rw.getInsId() + " by a replacement and a planned switchover");
    }

    private static boolean replacesExisting(InstanceStatus instance, Map<String, InstanceStatus> entries) {
        return instance.getReplacesInsId() != null && entries.containsKey(instance.getReplacesInsId());
    }

    /**
     * Each new pod starts before its old one goes, and a cluster keeps one instance per node: one node must be free.
     * Said at once rather than by a pod Pending for minutes.
     */
    private static void requireSpareNode(ClusterResources resources, MPDCluster cluster, String flow) {
        var nodes = resources.nodes("");
        if (nodes.stream().anyMatch(n -> InstancePlacement.unavailable(nodes, cluster, n.name()) == null)) {
            return;
        }
        throw new IllegalStateException(flow
                + " starts each new instance before it removes the old one, and a cluster keeps"
                + " one instance per node, so it needs a node without an instance of MPDCluster "
                + cluster.businessKey()
                + "; none can take one ("
                + String.join(
                        "; ",
                        nodes.stream()
                                .map(n -> InstancePlacement.unavailable(nodes, cluster, n.name()))
                                .toList())
                + "). Add or free a node, then retry this step");
    }
}
