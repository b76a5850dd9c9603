package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources.Node;
import io.polarstack.orchestrator.specs.Labels;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Where a new instance of a cluster may go: which nodes can take it, and its PFS host id in share mode. Pure. */
public final class InstancePlacement {

    /** The business error (and condition reason) of a target node that cannot take the instance. */
    public static final String TARGET_NODE_UNAVAILABLE = "TARGET_NODE_UNAVAILABLE";

    private InstancePlacement() {}

    /**
     * Why {@code node} cannot take a new instance of {@code cluster}, or null when it can: it must exist, be Ready
     * and schedulable, carry no maintenance label, and run no instance of this cluster (the pods keep apart).
     */
    public static String unavailable(List<Node> nodes, MPDCluster cluster, String node) {
        var found = nodes.stream().filter(n -> n.name().equals(node)).findFirst();
        if (found.isEmpty()) {
            return "node " + node + " does not exist (nodes: "
                    + nodes.stream().map(Node::name).sorted().toList() + ")";
        }
        if (!found.get().ready()) {
            return "node " + node + " is not Ready or is cordoned";
        }
        if (found.get().labels().containsKey(Labels.MAINTAIN_NODE)) {
            return "node " + node + " carries the label " + Labels.MAINTAIN_NODE;
        }
        var here = instances(cluster).stream()
                .filter(i -> node.equals(i.getNodeName()))
                .map(i -> i.getInsType() + " " + i.getInsId())
                .sorted()
                .toList();
        if (!here.isEmpty()) {
            return "node " + node + " already runs " + String.join(", ", here)
                    + " of this cluster (one instance per node)";
        }
        return null;
    }

    /** Share mode: the smallest PFS host id 5..25 no instance of the cluster holds (PolarDB Stack's rule); else null. */
    public static String polarFsHostId(MPDCluster cluster) {
        if (!"share".equals(cluster.getSpec().getDbClusterType())) {
            return null;
        }
        Set<String> used = instances(cluster).stream()
                .map(InstanceStatus::getPolarFsHostId)
                .filter(Objects::nonNull)
                .collect(Collectors.toSet());
        for (int id = 5; id <= 25; id++) {
            if (!used.contains(Integer.toString(id))) {
                return Integer.toString(id);
            }
        }
        throw new IllegalStateException("MPDCluster " + cluster.businessKey() + " has no free PFS host id in 5..25");
    }

    static java.util.Collection<InstanceStatus> instances(MPDCluster cluster) {
        Map<String, InstanceStatus> entries =
                cluster.getStatus() == null ? null : cluster.getStatus().getDbInstanceStatus();
        return entries == null ? List.of() : entries.values();
    }
}
