package io.polarstack.orchestrator.delegates.createcluster;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.NewInstances;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.InstanceIds;
import io.polarstack.orchestrator.service.PortAllocator;
import io.polarstack.orchestrator.specs.AccountSecrets;
import io.polarstack.orchestrator.specs.ClusterServices;
import io.polarstack.orchestrator.specs.InstanceEntries;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_InitMeta: ids for every instance (kept in status, so a re-run reuses them), the images and class from
 * the catalog, the account Secrets (passwords made once, never replaced), the params ConfigMaps and Services.
 */
@Component
public class InitMetaDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(InitMetaDelegate.class);

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ClusterCatalog catalog;
    private final boolean sharedPortSpace;

    public InitMetaDelegate(
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
        var spec = cluster.getSpec();
        String className = spec.getClassInfo().getClassName();
        var images =
                NewInstances.createVariables(execution, catalog, cluster); // an unknown class or version fails here

        if (cluster.getStatus() == null || cluster.getStatus().getLogicId() == null) { // a re-run keeps the ids
            int followers = spec.getFollowerNum() == null ? 0 : spec.getFollowerNum();
            var ids = InstanceIds.layout(
                    resources.reserveIds(catalog.namespace(), InstanceIds.countFor(followers)), followers);
            List<Integer> ports =
                    PortAllocator.forNewInstances(cluster, followers + 1, sharedPortSpace, resources::clusters);
            Map<String, InstanceStatus> instances = new HashMap<>();
            instances.put(ids.rw().insId(), entry(cluster, ids.rw(), InstanceRole.RW, ports.get(0)));
            for (int i = 0; i < ids.ros().size(); i++) {
                instances.put(
                        ids.ros().get(i).insId(), entry(cluster, ids.ros().get(i), InstanceRole.RO, ports.get(i + 1)));
            }
            cluster = status.instancesPlanned(
                    cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), ids.logicId(), instances);
            LOG.info(
                    "ids reserved: logic {}, rw {}, ro {}",
                    ids.logicId(),
                    ids.rw().insId(),
                    ids.ros().stream().map(InstanceIds.Slot::insId).toList());
        }
        String logicId = cluster.getStatus().getLogicId();

        String ns = cluster.getMetadata().getNamespace(); // what exists is kept: passwords are made once
        AccountSecrets.buildAll(cluster, logicId).stream()
                .filter(s -> resources.secretData(ns, s.getMetadata().getName()).isEmpty())
                .forEach(resources::apply);
        var classParams = ParamsConfigMaps.requireAllowed(
                ClusterSteps.flavour(cluster).name().toLowerCase(java.util.Locale.ROOT),
                "class " + className,
                catalog.classParams(className));
        ParamsConfigMaps.buildAll(cluster, classParams, Instant.now()).stream()
                .filter(c ->
                        resources.configMapData(ns, c.getMetadata().getName()).isEmpty())
                .forEach(resources::apply);
        int port = spec.getNetCfg().getEngineStartPort();
        resources.apply(ClusterServices.build(cluster, InstanceRole.RW, port));
        resources.apply(ClusterServices.build(cluster, InstanceRole.RO, port));

        String rwId = ClusterSteps.rw(cluster).getInsId();
        List<String> roIds =
                ClusterSteps.ros(cluster).stream().map(InstanceStatus::getInsId).toList();
        execution.setVariable("logicId", logicId);
        execution.setVariable("rwInsId", rwId);
        execution.setVariable("roInsIds", IdList.join(roIds));
        resources.event(
                cluster,
                "Normal",
                "InitMeta",
                "instances " + rwId + " (rw) and " + roIds + " (ro), version " + images.version() + ", class "
                        + className);
    }

    private static InstanceStatus entry(MPDCluster cluster, InstanceIds.Slot slot, String type, int port) {
        return InstanceEntries.pending(
                cluster, slot.physicalInsId(), slot.insId(), slot.insId(), type, port, Instant.now());
    }
}
