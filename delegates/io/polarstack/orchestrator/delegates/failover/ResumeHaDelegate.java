package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.AutoFailover;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ResumeHa: the HA monitor watches the cluster again if it did before the Failover (and the annotation
 * autoFailover=false has not turned it off meanwhile); a served {@code switchRw} request is removed.
 */
@Component
public class ResumeHaDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public ResumeHaDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        boolean wasEnabled = Boolean.TRUE.equals(execution.getVariable(PauseHaDelegate.HA_WAS_ENABLED));
        if (wasEnabled || AutoFailover.offByAnnotation(cluster)) {
            AutoFailover.enable(status, cluster);
        } else {
            status.condition(
                    ClusterSteps.namespace(execution),
                    ClusterSteps.name(execution),
                    Conditions.AUTO_FAILOVER,
                    false,
                    "NotEnabled",
                    "automatic failover was not on before this Failover");
        }
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        if (Objects.equals(
                annotations.get(Annotations.SWITCH_RW), cluster.getStatus().getLeaderInstanceId())) {
            resources.annotate(
                    ClusterSteps.namespace(execution),
                    ClusterSteps.name(execution),
                    Map.of(),
                    Set.of(Annotations.SWITCH_RW));
        }
    }
}
