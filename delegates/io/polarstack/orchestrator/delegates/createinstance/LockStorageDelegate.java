package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Task_LockStorage (share mode, RW): only the RW's node may write the LUN before its engine is installed. */
@Component
public class LockStorageDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(LockStorageDelegate.class);

    private final ClusterResources resources;
    private final StorageFabric storage;

    public LockStorageDelegate(ClusterResources resources, StorageFabric storage) {
        this.resources = resources;
        this.storage = storage;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, (String) execution.getVariable("insId"));
        String ns = cluster.getMetadata().getNamespace();
        String node = resources
                .pod(ns, instance.getPodName())
                .map(p -> p.nodeName())
                .orElseThrow(() -> new IllegalStateException(
                        "pod " + ns + "/" + instance.getPodName() + " is gone; retry the flow from its pod step"));
        var reservation = storage.lockWrite(cluster.getSpec().getShareStore().getVolumeId(), node);
        LOG.info(
                "write lock on {} held by {} (registered keys {})",
                reservation.wwid(),
                node,
                reservation.registeredKeys());
    }
}
