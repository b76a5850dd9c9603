package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.InstancePlacement;
import io.polarstack.orchestrator.specs.InstanceEntries;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * A new instance in status before anything is created for it: a {@code tempro} entry (PolarDB Stack's name for an
 * RO not yet in the topology) that a re-run finds again instead of allocating another id.
 */
public final class NewInstances {
    /** The process variable naming the new instance. */
    public static final String NEW_INS_ID = "newInsId";

    private NewInstances() {}

    /** The entry that replaces {@code oldInsId} (a tempro, or an RO already in the topology), if one was allocated. */
    public static Optional<InstanceStatus> replacing(MPDClusterStatus status, String oldInsId) {
        return entries(status).values().stream()
                .filter(i -> oldInsId.equals(i.getReplacesInsId()))
                .findFirst();
    }

    /** A tempro in a slot of its own (AddRo), if one was allocated and not yet joined. */
    public static Optional<InstanceStatus> pendingNewSlot(MPDClusterStatus status) {
        return entries(status).values().stream()
                .filter(i -> InstanceRole.TEMPRO.equals(i.getInsType()) && i.getReplacesInsId() == null)
                .min(java.util.Comparator.comparing(InstanceStatus::getInsId));
    }

    public static Map<String, InstanceStatus> entries(MPDClusterStatus status) {
        return status == null || status.getDbInstanceStatus() == null ? Map.of() : status.getDbInstanceStatus();
    }

    /** A tempro entry, PENDING, not installed; {@code insName} is the slot's first instance id (kept across replacements). */
    public static InstanceStatus tempro(
            MPDCluster cluster, String physicalInsId, String insId, String insName, int port, String replacesInsId) {
        var instance = InstanceEntries.pending(
                cluster, physicalInsId, insId, insName, InstanceRole.TEMPRO, port, Instant.now());
        instance.setReplacesInsId(replacesInsId);
        instance.setPolarFsHostId(InstancePlacement.polarFsHostId(cluster));
        return instance;
    }

    /**
     * What CreateInstance needs besides the instance id: the storage mode and the images, of {@code versionName}
     * when set (an upgrade), else of the spec's version. The class ({@code className} or the spec's) is looked up
     * too, so an unknown one fails here, naming its ConfigMap, before anything is allocated. Returns the images.
     */
    public static ClusterCatalog.Images createVariables(
            DelegateExecution execution, ClusterCatalog catalog, MPDCluster cluster) {
        String className = (String) execution.getVariable("className");
        catalog.classResources(
                cluster,
                className != null ? className : cluster.getSpec().getClassInfo().getClassName());
        String versionName = (String) execution.getVariable("versionName");
        if (versionName == null && cluster.getSpec().getVersionCfg() != null) {
            versionName = cluster.getSpec().getVersionCfg().getVersionName();
        }
        var images = catalog.images(cluster, versionName);
        execution.setVariable("storageMode", cluster.getSpec().getDbClusterType());
        execution.setVariable("engineImage", images.engine());
        execution.setVariable("managerImage", images.manager());
        execution.setVariable("pfsdImage", images.pfsd());
        return images;
    }
}
