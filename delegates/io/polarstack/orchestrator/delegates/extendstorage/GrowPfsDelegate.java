package io.polarstack.orchestrator.delegates.extendstorage;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.specs.StorageQuota;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_GrowPfs (share mode): {@code pfs growfs} once, from the write-lock holder (the RW's host), to the quota in
 * 10 GiB chunks. The fabric reads PFS first (a no-op when already that big) and reads the chunk count back after.
 */
@Component
public class GrowPfsDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final StorageFabric storage;

    public GrowPfsDelegate(ClusterResources resources, StorageFabric storage) {
        this.resources = resources;
        this.storage = storage;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        if (!ClusterSteps.share(cluster)) {
            return;
        }
        String wwid = cluster.getSpec().getShareStore().getVolumeId();
        String node = ClusterSteps.rw(cluster).getNodeName();
        int chunks = Math.toIntExact((Long) execution.getVariable("quotaBytes") / StorageQuota.PFS_CHUNK_BYTES);
        storage.growPfs(wwid, node, chunks);
    }
}
