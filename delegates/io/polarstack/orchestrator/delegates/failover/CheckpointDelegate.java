package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_Checkpoint (planned): a checkpoint while the RW still takes writes, so its shutdown checkpoint is short. */
@Component
public class CheckpointDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public CheckpointDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        manager.checkpoint(ClusterSteps.target(cluster, FailoverSteps.oldRw(cluster, execution)));
    }
}
