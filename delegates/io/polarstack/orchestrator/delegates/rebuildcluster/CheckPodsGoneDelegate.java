package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_CheckPodsGone: sets {@code podsGone} once no pod of an instance exists any more (a new pod takes the same name,
 * so it must not meet the old one terminating). The loop around it waits, bounded by its timer. Reads only.
 */
@Component
public class CheckPodsGoneDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public CheckPodsGoneDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable(
                "podsGone",
                remaining(resources, ClusterSteps.cluster(resources, execution)).isEmpty());
    }

    /** The pods still there, with their node and phase. */
    static List<String> remaining(ClusterResources resources, MPDCluster cluster) {
        String ns = cluster.getMetadata().getNamespace();
        return RebuildSteps.instances(cluster).stream()
                .flatMap(i -> resources.pod(ns, i.getPodName()).stream())
                .map(p -> p.name() + " (node " + p.nodeName() + ", " + p.phase() + (p.deleting() ? ", terminating" : "")
                        + ")")
                .toList();
    }
}
