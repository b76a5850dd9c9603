package io.polarstack.orchestrator.delegates.deletecluster;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.InstanceStops;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ReportNotStopped: the stops ran out of time (Timer_StopTimeout). One more look at each instance not yet
 * stopped (its pod gone, not running, or its engine reported stopped counts as stopped), and an incident naming the
 * ones still running. Once a person has stopped them (or deleted their pods), a retry of this step goes on with the
 * deletion: the storage is released only when no engine writes any more.
 */
@Component
public class ReportNotStoppedDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public ReportNotStoppedDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String ns = cluster.getMetadata().getNamespace();
        List<String> running = new ArrayList<>();
        for (var instance :
                InstanceStops.remaining(execution, StopInstancesDelegate.order(cluster), StopInstancesDelegate.DONE)) {
            var pod = resources.pod(ns, instance.getPodName());
            if (pod.isEmpty() || StopInstancesDelegate.POLICY.nothingToStop(pod.get())) {
                continue;
            }
            String state;
            try {
                var health = manager.health(ClusterSteps.target(cluster, instance));
                if (health.state() == ManagerClient.HealthState.STOPPED) {
                    continue;
                }
                state = health.state().name();
            } catch (ManagerClient.ManagerException e) {
                if ("CONTAINER_NOT_READY".equals(e.code())) {
                    continue;
                }
                state = e.code();
            }
            running.add(instance.getInsId() + " (pod " + instance.getPodName() + ", " + state + ")");
        }
        if (!running.isEmpty()) {
            throw new IllegalStateException("engines not stopped in time: " + running
                    + ". Stop each engine, or delete its pod (kubectl -n " + ns + " delete pod <pod>),"
                    + " then retry this step");
        }
    }
}
