package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.InstanceStops;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_RemoveInstancePods: every instance's pod goes, ROs first, one instance at a time: each execution starts or
 * polls the background stop of the next one, deletes its pod once the stop ended, and sets {@code podsRemoved};
 * Timer_RecheckRemovePods comes back while a stop runs. The stop is best effort (the manager is often dead, which
 * is why the cluster is rebuilt; deleting the pod stops the engine anyway); it leaves the stop lock in the data
 * directory, so a new pod's engine waits for its turn. Data directories, claims and the LUN stay. A pod that is
 * gone or going is left alone.
 */
@Component
public class RemoveInstancePodsDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(RemoveInstancePodsDelegate.class);
    static final int STOP_TIMEOUT_SECONDS = 30;
    static final String REMOVED = "podsRemoved";
    /** The ids of the instances whose pod was deleted (InstanceStops). */
    static final String DONE = "removedInstances";

    private final ClusterResources resources;
    private final ManagerClient manager;

    public RemoveInstancePodsDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        execution.setVariable(
                REMOVED,
                InstanceStops.next(
                        execution,
                        resources,
                        manager,
                        cluster,
                        RebuildSteps.instances(cluster),
                        DONE,
                        STOP_TIMEOUT_SECONDS,
                        new InstanceStops.Policy() {
                            @Override
                            public boolean nothingToStop(ClusterResources.PodState pod) {
                                return pod.deleting();
                            }

                            @Override
                            public boolean proceedAfter(
                                    InstanceStatus instance, ManagerClient.ManagerException failure) {
                                LOG.info(
                                        "instance {} not stopped ({}); deleting its pod stops it",
                                        instance.getInsId(),
                                        failure.getMessage());
                                return true;
                            }

                            @Override
                            public void afterStop(MPDCluster c, InstanceStatus instance) {
                                resources.deletePod(c.getMetadata().getNamespace(), instance.getPodName());
                            }
                        }));
    }
}
