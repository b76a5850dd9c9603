package io.polarstack.orchestrator.delegates.deletecluster;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_ReleaseStorage (share mode): clears the LUN's registrations and write reservation; local mode has none. */
@Component
public class ReleaseStorageDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final StorageFabric storage;

    public ReleaseStorageDelegate(ClusterResources resources, StorageFabric storage) {
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
        String node = cluster.getStatus() == null ? null : cluster.getStatus().getLeaderInstanceHost();
        if (node == null) {
            node = storage.hosts().stream()
                    .findFirst()
                    .map(StorageFabric.StorageHost::node)
                    .orElseThrow(() -> new IllegalStateException("no storage host to release LUN " + wwid
                            + " from; check orchestrator.storage.node-selector"));
        }
        storage.clear(wwid, node);
    }
}
