package io.polarstack.orchestrator.delegates.extendstorage;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_RejectStorageRequest: a smaller (or malformed) quota was asked for; nothing was changed. The annotation goes,
 * OperationAvailable=False (reason STORAGE_SHRINK_REFUSED) and a Warning event name the cluster and both sizes.
 */
@Component
public class RejectStorageRequestDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public RejectStorageRequestDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String refusal = (String) execution.getVariable("refusal");
        Requests.refuse(
                resources,
                status,
                cluster,
                Annotations.EXTEND_STORAGE,
                v -> true,
                CheckStorageRequestDelegate.SHRINK_REFUSED,
                refusal == null ? CheckStorageRequestDelegate.SHRINK_REFUSED : refusal);
    }
}
