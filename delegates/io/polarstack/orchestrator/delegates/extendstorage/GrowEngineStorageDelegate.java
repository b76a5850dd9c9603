package io.polarstack.orchestrator.delegates.extendstorage;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.PodExec;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_GrowEngineStorage (share mode), once per instance in {@code growInsIds} (ROs, then the RW; one job each, so one
 * call bounded by the agent's limit per job lock): the manager's {@code grow-storage}, i.e.
 * {@code polar_vfs_disk_expansion} in the PolarDB flavour; the PostgreSQL flavour has no PFS and only reports its file
 * system size. Repeating it is harmless. An engine whose manager container is not running is skipped, as PolarDB
 * Stack skips a stopped engine; an instance gone since the plan has nothing to grow.
 */
@Component
public class GrowEngineStorageDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(GrowEngineStorageDelegate.class);

    private final ClusterResources resources;
    private final ManagerClient manager;

    public GrowEngineStorageDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = (String) execution.getVariable("insId");
        var instance = cluster.getStatus().getDbInstanceStatus() == null
                ? null
                : cluster.getStatus().getDbInstanceStatus().get(insId);
        if (!ClusterSteps.share(cluster) || instance == null) {
            return;
        }
        String wwid = cluster.getSpec().getShareStore().getVolumeId();
        try {
            var info = manager.growStorage(ClusterSteps.target(cluster, instance), wwid);
            LOG.info("instance {}: grown={} total={} bytes", insId, info.grown(), info.totalBytes());
        } catch (PodExec.ContainerNotReadyException e) {
            LOG.info("instance {}: manager container not running, skipped", insId);
        }
    }
}
