package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_StopOldRw (planned): a fast stop of the RW under the stop lock, so nothing restarts it. A fast shutdown
 * sends its last WAL, the shutdown checkpoint, to the connected replicas before it exits; the stop reports where
 * that checkpoint is. Writes stop here.
 */
@Component
public class StopOldRwDelegate implements JavaDelegate {

    static final int STOP_TIMEOUT_SECONDS = 60;

    private final ClusterResources resources;
    private final ManagerClient manager;

    public StopOldRwDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        if (execution.getVariable(FailoverSteps.WRITES_STOPPED_AT) == null) {
            execution.setVariable(FailoverSteps.WRITES_STOPPED_AT, System.currentTimeMillis());
        }
        var stopped = manager.stop(
                ClusterSteps.target(cluster, FailoverSteps.oldRw(cluster, execution)),
                ManagerClient.StopMode.FAST,
                STOP_TIMEOUT_SECONDS);
        execution.setVariable(FailoverSteps.OLD_RW_STOPPED, true);
        if (stopped.shutdownCheckpoint() != null) {
            // Task_CheckCaughtUp compares with it, and needs no call of its own while writes are stopped.
            execution.setVariable(CheckCaughtUpDelegate.OLD_RW_CHECKPOINT, stopped.shutdownCheckpoint());
        }
    }
}
