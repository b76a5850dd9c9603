package io.polarstack.orchestrator.delegates.deletecluster;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.InstanceStops;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_StopInstances: a clean shutdown of every engine (ROs first, then the RW) before its pod goes, one instance at
 * a time: each execution starts or polls the background stop of the next one and sets {@code instancesStopped};
 * Timer_RecheckStop comes back while a stop runs. A pod that is gone, going or not running, or whose manager
 * container is not running, has nothing to stop. A stop that fails fails the step (its retries, then an incident).
 */
@Component
public class StopInstancesDelegate implements JavaDelegate {

    static final int STOP_TIMEOUT_SECONDS = 60;
    static final String STOPPED = "instancesStopped";
    /** The ids of the instances stopped so far (InstanceStops). */
    static final String DONE = "stoppedInstances";

    static final InstanceStops.Policy POLICY = new InstanceStops.Policy() {
        @Override
        public boolean nothingToStop(ClusterResources.PodState pod) {
            return pod.deleting() || !"Running".equals(pod.phase());
        }

        @Override
        public boolean proceedAfter(InstanceStatus instance, ManagerClient.ManagerException failure) {
            return false;
        }
    };

    private final ClusterResources resources;
    private final ManagerClient manager;

    public StopInstancesDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        execution.setVariable(
                STOPPED,
                InstanceStops.next(
                        execution, resources, manager, cluster, order(cluster), DONE, STOP_TIMEOUT_SECONDS, POLICY));
    }

    /** ROs first, then the RW; none when the cluster never got instances. */
    static List<InstanceStatus> order(MPDCluster cluster) {
        if (cluster.getStatus() == null || cluster.getStatus().getDbInstanceStatus() == null) {
            return List.of();
        }
        return cluster.getStatus().getDbInstanceStatus().values().stream()
                .sorted(java.util.Comparator.comparing(InstanceRole::rw).thenComparing(InstanceStatus::getInsId))
                .toList();
    }
}
