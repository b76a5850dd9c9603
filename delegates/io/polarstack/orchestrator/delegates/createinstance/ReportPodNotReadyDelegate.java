package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ReportPodNotReady: after the wait timed out, looks once more; a pod that is still not Ready becomes an
 * incident saying what it is doing. Once the cause is fixed, retrying this step moves the flow on.
 */
@Component
public class ReportPodNotReadyDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public ReportPodNotReadyDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, (String) execution.getVariable("insId"));
        String ns = cluster.getMetadata().getNamespace();
        var pod = resources.pod(ns, instance.getPodName());
        if (pod.isPresent() && pod.get().ready() && !pod.get().deleting()) {
            return;
        }
        throw new IllegalStateException(pod.map(p -> "pod " + ns + "/" + p.name() + " is not Ready (phase " + p.phase()
                                + ", node " + (p.nodeName() == null ? "none: not scheduled" : p.nodeName()) + ")")
                        .orElse("pod " + ns + "/" + instance.getPodName() + " does not exist")
                + "; see kubectl -n " + ns + " describe pod " + instance.getPodName()
                + ", fix the cause, then retry this step");
    }
}
