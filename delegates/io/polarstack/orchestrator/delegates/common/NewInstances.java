package io.polarstack.orchestrator.delegates.common;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.camunda.bpm.engine.delegate.DelegateExecution;

import io.polarstack.orchestrator.api.InstanceNetwork;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.PortAllocator;
import io.polarstack.orchestrator.specs.Labels;

/**
 * A new instance in status before anything is created for it: a {@code tempro} entry (PolarDB Stack's name for an
 * RO not yet in the topology) that a re-run finds again instead of allocating another id.
 */
public final class NewInstances {

    public static final String TEMPRO = "tempro";
    /** The process variable naming the new instance. */
    public static final String NEW_INS_ID = "newInsId";

    private NewInstances() {
    }

    /** The entry that replaces {@code oldInsId} (a tempro, or an RO already in the topology), if one was allocated. */
    public static Optional<InstanceStatus> replacing(MPDClusterStatus status, String oldInsId) {
        return entries(status).values().stream().filter(i -> oldInsId.equals(i.getReplacesInsId())).findFirst();
    }

    /** A tempro in a slot of its own (AddRo), if one was allocated and not yet joined. */
    public static Optional<InstanceStatus> pendingNewSlot(MPDClusterStatus status) {
        return entries(status).values().stream().filter(i -> TEMPRO.equals(i.getInsType()) && i.getReplacesInsId() == null)
                .min(java.util.Comparator.comparing(InstanceStatus::getInsId));
    }

    public static Map<String, InstanceStatus> entries(MPDClusterStatus status) {
        return status == null || status.getDbInstanceStatus() == null ? Map.of() : status.getDbInstanceStatus();
    }

    /**
     * Why {@code node} cannot take a new instance of {@code cluster}, or null when it can: it must exist, be Ready
     * and schedulable, carry no maintenance label, and run no instance of this cluster (the pods keep apart).
     */
    public static String unavailable(List<ClusterResources.Node> nodes, MPDCluster cluster, String node) {
        var found = nodes.stream().filter(n -> n.name().equals(node)).findFirst();
        if (found.isEmpty()) {
            return "node " + node + " does not exist (nodes: " + nodes.stream().map(ClusterResources.Node::name).sorted().toList() + ")";
        }
        if (!found.get().ready()) {
            return "node " + node + " is not Ready or is cordoned";
        }
        if (found.get().labels().containsKey(Labels.MAINTAIN_NODE)) {
            return "node " + node + " carries the label " + Labels.MAINTAIN_NODE;
        }
        var here = entries(cluster.getStatus()).values().stream().filter(i -> node.equals(i.getNodeName()))
                .map(i -> i.getInsType() + " " + i.getInsId()).sorted().toList();
        if (!here.isEmpty()) {
            return "node " + node + " already runs " + String.join(", ", here) + " of this cluster (one instance per node)";
        }
        return null;
    }

    /**
     * The engine port of a new instance: the cluster's own port, or in a shared port space the lowest one no
     * instance of any cluster holds (the old instance still runs beside the new one).
     */
    public static int port(ClusterResources resources, MPDCluster cluster, boolean sharedPortSpace) {
        int start = cluster.getSpec().getNetCfg().getEngineStartPort();
        if (!sharedPortSpace) {
            return start;
        }
        Set<Integer> used = new HashSet<>(PortAllocator.usedByOthers(resources.clusters(), cluster));
        entries(cluster.getStatus()).values().stream().map(InstanceStatus::getNetInfo).filter(Objects::nonNull)
                .map(InstanceNetwork::getWorkingPort).filter(Objects::nonNull).forEach(used::add);
        return PortAllocator.allocate(start, 1, used).get(0);
    }

    /** Share mode: the smallest PFS host id 5..25 no instance of the cluster holds (PolarDB Stack's rule); else null. */
    public static String polarFsHostId(MPDCluster cluster) {
        if (!ClusterSteps.share(cluster)) {
            return null;
        }
        Set<String> used = entries(cluster.getStatus()).values().stream().map(InstanceStatus::getPolarFsHostId)
                .filter(Objects::nonNull).collect(Collectors.toSet());
        for (int id = 5; id <= 25; id++) {
            if (!used.contains(Integer.toString(id))) {
                return Integer.toString(id);
            }
        }
        throw new IllegalStateException("MPDCluster " + cluster.businessKey() + " has no free PFS host id in 5..25");
    }

    /** A tempro entry, PENDING, not installed; {@code insName} is the slot's first instance id (kept across replacements). */
    public static InstanceStatus tempro(MPDCluster cluster, String physicalInsId, String insId, String insName, int port,
            String replacesInsId) {
        var instance = new InstanceStatus();
        instance.setPhysicalInsId(physicalInsId);
        instance.setInsId(insId);
        instance.setInsName(insName);
        instance.setInsType(TEMPRO);
        instance.setReplacesInsId(replacesInsId);
        instance.setPodName(cluster.getMetadata().getName() + "-" + physicalInsId + "-" + insId);
        instance.setPodNameSpace(cluster.getMetadata().getNamespace());
        instance.setPolarFsHostId(polarFsHostId(cluster));
        instance.setInstalled(false);
        var net = new InstanceNetwork();
        net.setWorkingPort(port);
        instance.setNetInfo(net);
        var state = new InstanceState();
        state.setState("PENDING");
        state.setStartAt(Instant.now().toString());
        instance.setCurrentState(state);
        return instance;
    }

    /**
     * What CreateInstance needs besides the instance id: the storage mode and the images, of {@code versionName}
     * when set (an upgrade), else of the spec's version. The class ({@code className} or the spec's) is looked up
     * too, so an unknown one fails here, naming its ConfigMap, before anything is allocated.
     */
    public static void createVariables(DelegateExecution execution, ClusterCatalog catalog, MPDCluster cluster) {
        String className = (String) execution.getVariable("className");
        catalog.classResources(cluster, className != null ? className : cluster.getSpec().getClassInfo().getClassName());
        String versionName = (String) execution.getVariable("versionName");
        if (versionName == null && cluster.getSpec().getVersionCfg() != null) {
            versionName = cluster.getSpec().getVersionCfg().getVersionName();
        }
        var images = catalog.images(cluster, versionName);
        execution.setVariable("storageMode", cluster.getSpec().getDbClusterType());
        execution.setVariable("engineImage", images.engine());
        execution.setVariable("managerImage", images.manager());
        execution.setVariable("pfsdImage", images.pfsd());
    }
}
