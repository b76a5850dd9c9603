package io.polarstack.orchestrator.delegates.replaceinstance;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.NewInstances;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.InstancePlacement;
import io.polarstack.orchestrator.service.PortAllocator;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_AllocateInstance: the new instance id for the slot of {@code insId}, written to status as a tempro entry
 * (with {@code replacesInsId}) before anything is created. A re-run finds that entry and goes on with it, so a
 * slot never gets two replacements. A {@code targetNode} that cannot take the instance is
 * {@link InstancePlacement#TARGET_NODE_UNAVAILABLE} before anything is allocated.
 */
@Component
public class AllocateInstanceDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(AllocateInstanceDelegate.class);

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ClusterCatalog catalog;
    private final boolean sharedPortSpace;

    public AllocateInstanceDelegate(
            ClusterResources resources,
            ClusterStatusWriter status,
            ClusterCatalog catalog,
            OrchestratorProperties properties) {
        this.resources = resources;
        this.status = status;
        this.catalog = catalog;
        this.sharedPortSpace = properties.operator().sharedPortSpace();
    }

    @Override
    public void execute(DelegateExecution execution) {
        MPDCluster cluster = ClusterSteps.cluster(resources, execution);
        String oldId = (String) execution.getVariable("insId");
        var allocated = NewInstances.replacing(cluster.getStatus(), oldId);
        if (allocated.isPresent()) {
            LOG.info(
                    "instance {} already replaces {}: going on with it",
                    allocated.get().getInsId(),
                    oldId);
            execution.setVariable(NewInstances.NEW_INS_ID, allocated.get().getInsId());
            NewInstances.createVariables(execution, catalog, cluster);
            return;
        }
        var old = ClusterSteps.instance(cluster, oldId);
        if (InstanceRole.TEMPRO.equals(old.getInsType())) {
            throw new IllegalArgumentException(
                    "instance " + oldId + " is itself a new instance not yet in the topology (tempro); "
                            + "replace the instance it replaces (" + old.getReplacesInsId()
                            + "), or remove it with annotation removeIns=" + oldId);
        }
        String targetNode = (String) execution.getVariable("targetNode");
        if (targetNode != null) {
            String why = InstancePlacement.unavailable(resources.nodes(""), cluster, targetNode);
            if (why != null) {
                throw new BpmnError(
                        InstancePlacement.TARGET_NODE_UNAVAILABLE,
                        InstancePlacement.TARGET_NODE_UNAVAILABLE + ": " + why + "; instance " + oldId
                                + " stays where it is and nothing was allocated");
            }
        }
        NewInstances.createVariables(
                execution, catalog, cluster); // an unknown version or class fails before allocating

        String newId = Long.toString(resources.reserveIds(catalog.namespace(), 1));
        int port = sharedPortSpace
                ? PortAllocator.forNewInstances(cluster, 1, true, resources::clusters)
                        .get(0)
                : old.getNetInfo().getWorkingPort();
        var entry = NewInstances.tempro(cluster, old.getPhysicalInsId(), newId, old.getInsName(), port, oldId);
        var updated = status.instanceAllocated(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                entry,
                latest -> NewInstances.replacing(latest, oldId).isPresent());
        String recorded =
                NewInstances.replacing(updated.getStatus(), oldId).orElseThrow().getInsId();
        execution.setVariable(NewInstances.NEW_INS_ID, recorded);
        LOG.info("instance {} allocated in slot {} to replace {}", recorded, old.getPhysicalInsId(), oldId);
        resources.event(
                updated,
                "Normal",
                "InstanceAllocated",
                "instance " + recorded + " will replace " + old.getInsType() + " " + oldId + " in slot "
                        + old.getPhysicalInsId() + (targetNode == null ? "" : ", on node " + targetNode));
    }
}
