package io.polarstack.orchestrator.delegates.extendstorage;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.specs.StorageQuota;
import java.util.ArrayList;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_CheckStorageRequest: the quota the spec asks for ({@link StorageQuota}) against the one the last growth
 * recorded in {@code status.storageQuota}. Smaller is refused with {@code STORAGE_SHRINK_REFUSED} before anything
 * changes; share mode also needs whole 10 GiB PFS chunks. Sets {@code quotaBytes}, {@code quota} (as written) and
 * {@code growInsIds} (the ROs, then the RW).
 * Reads only.
 */
@Component
public class CheckStorageRequestDelegate implements JavaDelegate {

    static final String SHRINK_REFUSED = "STORAGE_SHRINK_REFUSED";

    private final ClusterResources resources;

    public CheckStorageRequestDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var spec = cluster.getSpec();
        String cluster_ = cluster.getMetadata().getNamespace() + "/"
                + cluster.getMetadata().getName();
        String written = StorageQuota.written(spec);
        long bytes;
        try {
            bytes = StorageQuota.bytes(spec);
        } catch (IllegalArgumentException e) {
            throw new BpmnError(SHRINK_REFUSED, "cluster " + cluster_ + ": " + e.getMessage() + "; nothing changed");
        }
        String recorded =
                cluster.getStatus() == null ? null : cluster.getStatus().getStorageQuota();
        if (recorded != null) {
            long current = StorageQuota.parse(spec, recorded);
            if (bytes < current) {
                throw new BpmnError(
                        SHRINK_REFUSED,
                        SHRINK_REFUSED + ": cluster " + cluster_ + " asks for " + written + " (" + bytes
                                + " bytes), less than its current quota " + recorded + " (" + current
                                + " bytes); storage only grows, nothing changed");
            }
        }
        if (StorageQuota.share(spec) && bytes % StorageQuota.PFS_CHUNK_BYTES != 0) {
            throw new BpmnError(
                    SHRINK_REFUSED,
                    "cluster " + cluster_ + ": shareStore.diskQuota " + written
                            + " MB is not a whole number of 10 GiB PFS chunks (10240 MB each); nothing changed");
        }
        var order = new ArrayList<String>();
        ClusterSteps.ros(cluster).forEach(ro -> order.add(ro.getInsId()));
        order.add(ClusterSteps.rw(cluster).getInsId());
        execution.setVariable("growInsIds", IdList.join(order));
        execution.setVariable("quota", written);
        execution.setVariable("quotaBytes", bytes);
    }
}
