package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_FinishRebuild: the served {@code forceRebuild} annotation goes (any value); an event says what runs again. */
@Component
public class FinishRebuildDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public FinishRebuildDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        Requests.clear(resources, cluster, Annotations.FORCE_REBUILD, value -> true);
        var leftOut = RebuildSteps.leftOut(cluster);
        resources.event(
                cluster,
                "Normal",
                "ClusterRebuilt",
                "rw " + ClusterSteps.rw(cluster).getInsId() + " and ros "
                        + ClusterSteps.ros(cluster).stream()
                                .filter(i -> !RebuildSteps.leftOut(i))
                                .map(i -> i.getInsId())
                                .toList()
                        + " run again on their data" + (leftOut.isEmpty() ? "" : "; not started: " + leftOut));
    }
}
