package io.polarstack.orchestrator.delegates.restart;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_FinishClusterRestart: the served {@code restartCluster} request is removed (left there it would start the
 * restart again), and an event says which instance is the RW now. Safe to repeat.
 */
@Component
public class FinishClusterRestartDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public FinishClusterRestartDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        if (RestartSteps.topLevel(execution) && annotations.containsKey(Annotations.RESTART_CLUSTER)) {
            cluster = resources.annotate(
                    ClusterSteps.namespace(execution),
                    ClusterSteps.name(execution),
                    Map.of(),
                    Set.of(Annotations.RESTART_CLUSTER));
        }
        resources.event(
                cluster,
                "Normal",
                "ClusterRestarted",
                "every instance restarted; the RW is " + cluster.getStatus().getLeaderInstanceId());
    }
}
