package io.polarstack.orchestrator.delegates.createcluster;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.InstanceNetwork;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.InstanceIds;
import io.polarstack.orchestrator.service.PortAllocator;
import io.polarstack.orchestrator.specs.AccountSecrets;
import io.polarstack.orchestrator.specs.ClusterServices;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;

/**
 * Task_InitMeta: ids for every instance (kept in status, so a re-run reuses them), the images and class from
 * the catalog, the account Secrets (passwords made once, never replaced), the params ConfigMaps and Services.
 */
@Component
public class InitMetaDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(InitMetaDelegate.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ClusterCatalog catalog;
    private final boolean sharedPortSpace;

    public InitMetaDelegate(ClusterResources resources, ClusterStatusWriter status, ClusterCatalog catalog, OrchestratorProperties properties) {
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
        catalog.classResources(cluster, className);  // fails here, naming the ConfigMap, if the class is unknown
        var images = catalog.images(cluster, spec.getVersionCfg() == null ? null : spec.getVersionCfg().getVersionName());

        if (cluster.getStatus() == null || cluster.getStatus().getLogicId() == null) {
            int followers = spec.getFollowerNum() == null ? 0 : spec.getFollowerNum();
            var ids = InstanceIds.layout(resources.reserveIds(catalog.namespace(), InstanceIds.countFor(followers)), followers);
            int start = spec.getNetCfg().getEngineStartPort();
            List<Integer> ports = sharedPortSpace
                    ? PortAllocator.allocate(start, followers + 1, PortAllocator.usedByOthers(resources.clusters(), cluster))
                    : java.util.Collections.nCopies(followers + 1, start);
            MPDCluster owner = cluster;
            Map<String, InstanceStatus> instances = new HashMap<>();
            instances.put(ids.rw().insId(), entry(owner, ids.rw(), InstanceRole.RW, ports.get(0)));
            for (int i = 0; i < ids.ros().size(); i++) {
                instances.put(ids.ros().get(i).insId(), entry(owner, ids.ros().get(i), InstanceRole.RO, ports.get(i + 1)));
            }
            cluster = status.instancesPlanned(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), ids.logicId(),
                    instances);
            LOG.info("ids reserved: logic {}, rw {}, ro {}", ids.logicId(), ids.rw().insId(),
                    ids.ros().stream().map(InstanceIds.Slot::insId).toList());
        }
        String logicId = cluster.getStatus().getLogicId();

        for (var account : AccountSecrets.Account.values()) {
            String secret = AccountSecrets.name(cluster, logicId, account);
            if (resources.secretData(cluster.getMetadata().getNamespace(), secret).isEmpty()) {
                resources.apply(AccountSecrets.build(cluster, logicId, account, password()));
            }
        }
        Map<String, String> params = catalog.classParams(className);
        for (String configMap : List.of(ParamsConfigMaps.userParamsName(cluster), ParamsConfigMaps.runningParamsName(cluster))) {
            if (resources.configMapData(cluster.getMetadata().getNamespace(), configMap).isEmpty()) {
                resources.apply(ParamsConfigMaps.build(cluster, configMap, params, Instant.now()));
            }
        }
        int port = spec.getNetCfg().getEngineStartPort();
        resources.apply(ClusterServices.build(cluster, InstanceRole.RW, port));
        resources.apply(ClusterServices.build(cluster, InstanceRole.RO, port));

        List<String> roIds = new ArrayList<>();
        String rwId = null;
        for (var e : cluster.getStatus().getDbInstanceStatus().entrySet()) {
            if (InstanceRole.rw(e.getValue())) {
                rwId = e.getKey();
            } else if (InstanceRole.ro(e.getValue())) {
                roIds.add(e.getKey());
            }
        }
        roIds.sort(null);
        execution.setVariable("logicId", logicId);
        execution.setVariable("storageMode", spec.getDbClusterType());
        execution.setVariable("rwInsId", rwId);
        execution.setVariable("roInsIds", IdList.join(roIds));
        execution.setVariable("engineImage", images.engine());
        execution.setVariable("managerImage", images.manager());
        execution.setVariable("pfsdImage", images.pfsd());
        resources.event(cluster, "Normal", "InitMeta", "instances " + rwId + " (rw) and " + roIds + " (ro), version "
                + images.version() + ", class " + className);
    }

    private static InstanceStatus entry(MPDCluster cluster, InstanceIds.Slot slot, String type, int port) {
        var instance = new InstanceStatus();
        instance.setPhysicalInsId(slot.physicalInsId());
        instance.setInsId(slot.insId());
        instance.setInsName(slot.insId());
        instance.setInsType(type);
        instance.setPodName(cluster.getMetadata().getName() + "-" + slot.physicalInsId() + "-" + slot.insId());
        instance.setPodNameSpace(cluster.getMetadata().getNamespace());
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

    private static String password() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
