package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.util.Objects;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_FinishDiskFullLock: condition DiskFull=True with who locked it ({@code lockReason}: the usage monitor, which
 * lifts it again, or a request, which only a request lifts), a Warning event, and the served request goes.
 */
@Component
public class FinishDiskFullLockDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public FinishDiskFullLockDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String reason =
                Objects.requireNonNullElse((String) execution.getVariable("lockReason"), Conditions.LOCKED_BY_REQUEST);
        String message = "ordinary users may only read; superusers still write. "
                + Objects.requireNonNullElse(
                        (String) execution.getVariable("lockMessage"), "locked by " + Annotations.DISK_FULL_LOCK);
        var updated = status.condition(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Conditions.DISK_FULL,
                true,
                reason,
                message);
        Requests.clear(resources, updated, Annotations.DISK_FULL_LOCK, Annotations::isTrue);
        resources.event(updated, "Warning", "DiskFullLocked", message);
    }
}
