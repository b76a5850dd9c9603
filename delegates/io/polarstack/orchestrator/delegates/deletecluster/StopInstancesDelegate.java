package io.polarstack.orchestrator.delegates.deletecluster;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.PodExec;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_StopInstances: a clean shutdown of every engine (ROs first, then the RW) before its pod goes. A pod
 * that is already gone or not running has nothing to stop.
 */
@Component
public class StopInstancesDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(StopInstancesDelegate.class);
    static final int STOP_TIMEOUT_SECONDS = 60;

    private final ClusterResources resources;
    private final ManagerClient manager;

    public StopInstancesDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        if (cluster.getStatus() == null || cluster.getStatus().getDbInstanceStatus() == null) {
            return;
        }
        String ns = cluster.getMetadata().getNamespace();
        cluster.getStatus().getDbInstanceStatus().values().stream()
                .sorted(java.util.Comparator.comparing(InstanceRole::rw))
                .forEach(instance -> {
                    var pod = resources.pod(ns, instance.getPodName());
                    if (pod.isEmpty()
                            || pod.get().deleting()
                            || !"Running".equals(pod.get().phase())) {
                        return;
                    }
                    try {
                        var result = manager.stop(
                                ClusterSteps.target(cluster, instance),
                                ManagerClient.StopMode.FAST,
                                STOP_TIMEOUT_SECONDS);
                        LOG.info(
                                "instance {} stopped{}",
                                instance.getInsId(),
                                result.alreadyStopped() ? " already" : "");
                    } catch (PodExec.ContainerNotReadyException e) {
                        LOG.info("instance {}: manager container not running, nothing to stop", instance.getInsId());
                    }
                });
    }
}
