package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_RemoveInstancePods: every instance's pod goes, ROs first. Each engine is stopped first where its manager
 * answers (best effort: it is often dead, which is why the cluster is rebuilt); the stop leaves the stop lock in
 * its data directory, so a new pod's engine waits for its turn. Data directories, claims and the LUN stay. A pod
 * that is gone or going is left alone.
 */
@Component
public class RemoveInstancePodsDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(RemoveInstancePodsDelegate.class);
    static final int STOP_TIMEOUT_SECONDS = 30;

    private final ClusterResources resources;
    private final ManagerClient manager;

    public RemoveInstancePodsDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String ns = cluster.getMetadata().getNamespace();
        for (var instance : RebuildSteps.instances(cluster)) {
            var pod = resources.pod(ns, instance.getPodName());
            if (pod.isEmpty() || pod.get().deleting()) {
                continue;
            }
            try {
                manager.stop(ClusterSteps.target(cluster, instance), ManagerClient.StopMode.FAST, STOP_TIMEOUT_SECONDS);
            } catch (RuntimeException e) {
                LOG.info(
                        "instance {} not stopped ({}); deleting its pod stops it", instance.getInsId(), e.getMessage());
            }
            resources.deletePod(ns, instance.getPodName());
        }
    }
}
