package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.BackgroundRuns;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.service.ReplicaSlots;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_InstallInstance: the manager installs the engine and starts it. RW: a new data directory (or the one
 * already there). RO, local mode: its slot on the RW, then a base backup streaming from it. RO, share mode:
 * a replica on the shared storage. The agent's actions are idempotent, so a retry is safe. With {@code keepData}
 * (RebuildCluster) a local-mode RW must find its data directory: an empty one is an incident, never a new initdb.
 * Install (a base backup: minutes) and start (crash recovery) run in the background in the manager container; each
 * execution of this step starts or polls them and sets {@code installed}, and Timer_RecheckInstall comes back while
 * they run, so the step itself stays far inside its job lock.
 */
@Component
public class InstallInstanceDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public InstallInstanceDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    static final String INSTALLED = "installed";
    /** Set once the install run has succeeded: the start run follows. */
    static final String INSTALL_DONE = "installRunDone";

    @Override
    public void execute(DelegateExecution execution) {
        MPDCluster cluster = ClusterSteps.cluster(resources, execution);
        InstanceStatus instance = ClusterSteps.instance(cluster, (String) execution.getVariable("insId"));
        if (Boolean.TRUE.equals(instance.getInstalled())) {
            execution.setVariable(INSTALLED, true);
            return;
        }
        var target = ClusterSteps.target(cluster, instance);
        if (!Boolean.TRUE.equals(execution.getVariable(INSTALL_DONE))) {
            var run = manager.installInBackground(
                    target, spec(execution, cluster, instance), BackgroundRuns.runId(execution, "install"));
            if (!run.done()) {
                execution.setVariable(INSTALLED, false);
                return;
            }
            execution.setVariable(INSTALL_DONE, true);
        }
        var started = manager.startInBackground(target, BackgroundRuns.runId(execution, "start"));
        execution.setVariable(INSTALLED, started.done());
    }

    private InstallSpec spec(DelegateExecution execution, MPDCluster cluster, InstanceStatus instance) {
        String ns = cluster.getMetadata().getNamespace();
        String hostIp = resources
                .pod(ns, instance.getPodName())
                .map(p -> p.hostIp())
                .orElseThrow(() -> new IllegalStateException(
                        "pod " + ns + "/" + instance.getPodName() + " is gone; retry from its pod step"));
        int port = instance.getNetInfo().getWorkingPort();
        String logicId = cluster.getStatus().getLogicId();
        List<String> peers = new java.util.ArrayList<>(resources.nodes("").stream()
                .map(ClusterResources.Node::internalIp)
                .filter(Objects::nonNull)
                .map(ip -> ip + "/32")
                .distinct()
                .toList());
        if (peers.stream().anyMatch(p -> p.startsWith("127."))) {
            peers.add(
                    "127.0.0.1/32"); // nodes on loopback addresses (one machine): their connections come from 127.0.0.1
        }

        InstallSpec spec;
        if (InstanceRole.rw(instance)) {
            if (Boolean.TRUE.equals(execution.getVariable("keepData")) && !ClusterSteps.share(cluster)) {
                requireData(cluster, instance);
            }
            spec = InstallSpec.rw(port);
        } else {
            InstanceStatus rw = ClusterSteps.rw(cluster);
            var rwTarget = ClusterSteps.target(cluster, rw);
            var slot = ReplicaSlots.of(instance);
            manager.createSlot(rwTarget, ManagerClient.SlotType.REPLICA, slot.custinsId(), slot.slotUniqueName());
            var primary = ClusterSteps.primary(resources, cluster, rw);
            spec = InstallSpec.ro(port, primary, slot.custinsId(), slot.slotUniqueName());
        }
        spec = spec.withParams(runningParams(cluster)).withNetwork(hostIp, peers);
        if (ClusterSteps.share(cluster)) {
            spec = spec.onSharedStorage(
                    cluster.getSpec().getShareStore().getVolumeId(), logicId, instance.getPolarFsHostId());
        }
        return spec;
    }

    /** A rebuilt RW runs on the data it had: an empty data directory would get a new, empty database. */
    private void requireData(MPDCluster cluster, InstanceStatus rw) {
        try {
            manager.systemIdentifier(ClusterSteps.target(cluster, rw));
        } catch (ManagerClient.ManagerException e) {
            if (!"NOT_INSTALLED".equals(e.code())) {
                throw e;
            }
            throw new IllegalStateException(
                    "the RW " + rw.getInsId() + " finds no database in its data directory on node "
                            + rw.getNodeName() + " (" + e.getMessage()
                            + "); a rebuild never makes a new one. Restore the directory"
                            + " (or the node), then retry this step",
                    e);
        }
    }

    /** The values of {@code <cluster>-running-params}, each on the flavour's allow list. */
    private Map<String, String> runningParams(MPDCluster cluster) {
        String name = ParamsConfigMaps.runningParamsName(cluster);
        String ns = cluster.getMetadata().getNamespace();
        return ParamsConfigMaps.requireAllowed(
                ClusterSteps.flavour(cluster).name().toLowerCase(java.util.Locale.ROOT),
                "ConfigMap " + ns + "/" + name,
                ParamsConfigMaps.values(name, resources.configMapData(ns, name).orElse(Map.of())));
    }
}
