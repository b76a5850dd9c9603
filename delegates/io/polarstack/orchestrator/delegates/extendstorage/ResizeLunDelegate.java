package io.polarstack.orchestrator.delegates.extendstorage;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.ports.StorageFabricException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ResizeLun (share mode): after the LUN grew on the array (the vendor's control plane, as in PolarDB Stack),
 * every host rescans its paths and resizes its multipath map; then every host must read back at least the quota.
 * A host that fails, or still sees less, fails the step naming it; a retry resizes again (a no-op where done).
 */
@Component
public class ResizeLunDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final StorageFabric storage;

    public ResizeLunDelegate(ClusterResources resources, StorageFabric storage) {
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
        long quota = (Long) execution.getVariable("quotaBytes");
        for (var result : storage.resize(wwid)) {
            if (!result.ok()) {
                throw new StorageFabricException(
                        "resizing LUN " + wwid + " on " + result.node() + ": " + result.error());
            }
            if (result.value().sizeBytes() < quota) {
                throw new StorageFabricException(
                        "LUN " + wwid + " is " + result.value().sizeBytes() + " bytes on "
                                + result.node() + ", less than the quota of " + quota
                                + " bytes: grow the LUN on the array first, then retry this step");
            }
        }
    }
}
