package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_CheckInstancePod: sets {@code podReady} (the loop around it waits, bounded by its timer). */
@Component
public class CheckInstancePodDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public CheckInstancePodDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, (String) execution.getVariable("insId"));
        execution.setVariable(
                "podReady",
                resources
                        .pod(cluster.getMetadata().getNamespace(), instance.getPodName())
                        .map(p -> p.ready() && !p.deleting())
                        .orElse(false));
    }
}
