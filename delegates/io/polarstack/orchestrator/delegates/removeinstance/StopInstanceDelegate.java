package io.polarstack.orchestrator.delegates.removeinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_StopInstance: a fast stop of the instance to be removed, under the stop lock. Refuses the RW. Best effort:
 * a manager that does not answer (a failed RO, a dead node) must not block the removal, and deleting the pod
 * stops the engine anyway. A pod already gone or being deleted is left alone.
 */
@Component
public class StopInstanceDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(StopInstanceDelegate.class);
    static final int STOP_TIMEOUT_SECONDS = 60;

    private final ClusterResources resources;
    private final ManagerClient manager;

    public StopInstanceDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = RemoveSteps.instance(cluster, execution);
        if (instance == null) {
            return;
        }
        RemoveSteps.refuseRw(cluster, instance);
        var pod = resources.pod(cluster.getMetadata().getNamespace(), instance.getPodName());
        if (pod.isEmpty() || pod.get().deleting()) {
            return;
        }
        try {
            manager.stop(ClusterSteps.target(cluster, instance), ManagerClient.StopMode.FAST, STOP_TIMEOUT_SECONDS);
        } catch (RuntimeException e) {
            LOG.info("instance {} not stopped ({}); deleting its pod stops it", instance.getInsId(), e.getMessage());
        }
    }
}
