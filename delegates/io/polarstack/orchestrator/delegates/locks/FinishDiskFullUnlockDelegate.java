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

/** Task_FinishDiskFullUnlock: condition DiskFull=False, a Normal event, and the served request goes. */
@Component
public class FinishDiskFullUnlockDelegate implements JavaDelegate {

    static final String UNLOCKED = "Unlocked";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public FinishDiskFullUnlockDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String message = "ordinary users write again: "
                + Objects.requireNonNullElse(
                        (String) execution.getVariable("lockMessage"), "unlocked by " + Annotations.DISK_FULL_LOCK);
        var updated = status.condition(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Conditions.DISK_FULL,
                false,
                UNLOCKED,
                message);
        Requests.clear(resources, updated, Annotations.DISK_FULL_LOCK, v -> !Annotations.isTrue(v));
        resources.event(updated, "Normal", "DiskFullUnlocked", message);
    }
}
