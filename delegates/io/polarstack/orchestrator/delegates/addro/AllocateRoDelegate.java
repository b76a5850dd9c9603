package io.polarstack.orchestrator.delegates.addro;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.NewInstances;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.PortAllocator;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_AllocateRo: a new slot and instance id (two numbers from the counter), written to status as a tempro entry
 * before anything is created. A tempro of a slot of its own that is already there (a re-run, or an AddRo cancelled
 * before it joined) is taken instead, so a re-run never allocates twice.
 */
@Component
public class AllocateRoDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(AllocateRoDelegate.class);

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ClusterCatalog catalog;
    private final boolean sharedPortSpace;

    public AllocateRoDelegate(
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
        var cluster = ClusterSteps.cluster(resources, execution);
        NewInstances.createVariables(execution, catalog, cluster);
        var pending = NewInstances.pendingNewSlot(cluster.getStatus());
        if (pending.isPresent()) {
            LOG.info(
                    "RO {} in slot {} was allocated before: going on with it",
                    pending.get().getInsId(),
                    pending.get().getPhysicalInsId());
            execution.setVariable(NewInstances.NEW_INS_ID, pending.get().getInsId());
            return;
        }
        long first = resources.reserveIds(catalog.namespace(), 2);
        String slot = Long.toString(first);
        String insId = Long.toString(first + 1);
        int port = PortAllocator.forNewInstances(cluster, 1, sharedPortSpace, resources::clusters)
                .get(0);
        var entry = NewInstances.tempro(cluster, slot, insId, insId, port, null);
        var updated = status.instanceAllocated(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                entry,
                latest -> NewInstances.pendingNewSlot(latest).isPresent());
        String recorded =
                NewInstances.pendingNewSlot(updated.getStatus()).orElseThrow().getInsId();
        execution.setVariable(NewInstances.NEW_INS_ID, recorded);
        LOG.info("RO {} allocated in new slot {}", recorded, slot);
        resources.event(updated, "Normal", "InstanceAllocated", "new RO " + recorded + " in slot " + slot);
    }
}
