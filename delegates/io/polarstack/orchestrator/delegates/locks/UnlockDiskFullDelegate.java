package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_UnlockDiskFull: the manager's unlock-diskfull where the lock is carried; lifting it twice is harmless. */
@Component
public class UnlockDiskFullDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public UnlockDiskFullDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        for (var instance : LockSteps.diskFullTargets(cluster)) {
            manager.unlockDiskFull(ClusterSteps.target(cluster, instance));
        }
    }
}
