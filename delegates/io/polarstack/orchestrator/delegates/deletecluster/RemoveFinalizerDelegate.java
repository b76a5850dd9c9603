package io.polarstack.orchestrator.delegates.deletecluster;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_RemoveFinalizer: lets Kubernetes delete the cluster; what it owns goes by garbage collection. */
@Component
public class RemoveFinalizerDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public RemoveFinalizerDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        if (resources
                .cluster(ClusterSteps.namespace(execution), ClusterSteps.name(execution))
                .isPresent()) {
            resources.finalizer(ClusterSteps.namespace(execution), ClusterSteps.name(execution), false);
        }
    }
}
