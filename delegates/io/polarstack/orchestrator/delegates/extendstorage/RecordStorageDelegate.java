package io.polarstack.orchestrator.delegates.extendstorage;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_RecordStorage: {@code status.storageQuota} takes the new quota, the request annotation goes; sets, never toggles. */
@Component
public class RecordStorageDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public RecordStorageDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String quota = (String) execution.getVariable("quota");
        var cluster = status.storageQuota(ClusterSteps.namespace(execution), ClusterSteps.name(execution), quota);
        Requests.clear(resources, cluster, Annotations.EXTEND_STORAGE, v -> true);
        resources.event(
                cluster,
                "Normal",
                "StorageExtended",
                "storage quota " + quota + " (" + execution.getVariable("quotaBytes") + " bytes per instance)");
    }
}
