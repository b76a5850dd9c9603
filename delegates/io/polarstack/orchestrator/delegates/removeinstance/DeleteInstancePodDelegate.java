package io.polarstack.orchestrator.delegates.removeinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_DeleteInstancePod: the instance's pod is deleted (nothing to do when it is gone or already going). */
@Component
public class DeleteInstancePodDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public DeleteInstancePodDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = RemoveSteps.instance(cluster, execution);
        if (instance == null) {
            return;
        }
        RemoveSteps.refuseRw(cluster, instance);
        String ns = cluster.getMetadata().getNamespace();
        var pod = resources.pod(ns, instance.getPodName());
        if (pod.isPresent() && !pod.get().deleting()) {
            resources.deletePod(ns, instance.getPodName());
        }
    }
}
