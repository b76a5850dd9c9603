package io.polarstack.orchestrator.delegates.createcluster;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_PrepareStorage: share mode needs the LUN on every storage host before any instance starts (the write
 * lock follows once the RW's node is known); local mode's volumes come with each instance's pod.
 */
@Component
public class PrepareStorageDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareStorageDelegate.class);

    private final ClusterResources resources;
    private final StorageFabric storage;

    public PrepareStorageDelegate(ClusterResources resources, StorageFabric storage) {
        this.resources = resources;
        this.storage = storage;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        if (!ClusterSteps.share(cluster)) {
            LOG.info("local mode: each instance gets its own volume with its pod");
            return;
        }
        String wwid = cluster.getSpec().getShareStore().getVolumeId();
        var lun = storage.resolve(wwid); // names every host that lacks it, and why
        LOG.info("LUN {} is on every storage host: {}", wwid, lun.devices());
    }
}
