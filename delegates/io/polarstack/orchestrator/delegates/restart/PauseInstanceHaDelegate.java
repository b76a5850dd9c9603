package io.polarstack.orchestrator.delegates.restart;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.RestartPlan;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_PauseInstanceHa: checks the instance, then marks it (annotation {@code haPausedIns}) so the HA monitor does not
 * take its planned restart for a failure; the other instances stay watched (a dying RW during an RO's restart is still
 * failed over once this flow stops at an incident). Writes one annotation, so it is safe to repeat.
 */
@Component
public class PauseInstanceHaDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public PauseInstanceHaDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = RestartPlan.instance(cluster, RestartSteps.insId(execution));
        boolean rw = InstanceRole.rw(instance);
        execution.setVariable(RestartSteps.IS_RW, rw);
        var updated = resources.annotate(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Map.of(Annotations.HA_PAUSED_INS, instance.getInsId()),
                Set.of());
        resources.event(
                updated,
                "Normal",
                "RestartStarted",
                (rw ? "RW " : "RO ") + instance.getInsId() + " (pod " + instance.getPodName()
                        + ") restarts; the HA monitor leaves it alone meanwhile");
    }
}
