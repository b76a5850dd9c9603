package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_LockDiskFull: the manager's lock-diskfull on each instance that carries the lock (LockSteps): ordinary users
 * read-only, their sessions ended, superusers still write. Setting it twice is harmless, so a re-run repeats it.
 */
@Component
public class LockDiskFullDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public LockDiskFullDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        for (var instance : LockSteps.diskFullTargets(cluster)) {
            manager.lockDiskFull(ClusterSteps.target(cluster, instance));
        }
    }
}
