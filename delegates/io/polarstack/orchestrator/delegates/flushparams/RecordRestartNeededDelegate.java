package io.polarstack.orchestrator.delegates.flushparams;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_RecordRestartNeeded: PolarDB Stack's mark that the flush needs a restart (annotation
 * {@code flushParamsRestartCluster=true}) and an event naming the parameters, before RestartCluster runs.
 */
@Component
public class RecordRestartNeededDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public RecordRestartNeededDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = resources.annotate(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Map.of(Flush.RESTART_ANNOTATION, "true"),
                Set.of());
        resources.event(
                cluster,
                "Normal",
                "FlushNeedsRestart",
                execution.getVariable(Flush.RESTART_PARAMS) + " take effect only after a restart: a rolling restart"
                        + " of the cluster follows");
    }
}
