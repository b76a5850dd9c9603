package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.delegates.common.BackgroundRuns;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_StartExpiredInstances: starts (first run) or polls a background start of every instance; the agent removes
 * the stop lock and waits until the engine accepts connections (crash recovery included). Sets
 * {@code expiredStarted} once every run is done.
 */
@Component
public class StartExpiredInstancesDelegate implements JavaDelegate {

    static final String STARTED = "expiredStarted";

    private final ClusterResources resources;
    private final ManagerClient manager;

    public StartExpiredInstancesDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        boolean all = true;
        for (var instance : LockSteps.instances(cluster)) {
            var run = manager.startInBackground(
                    ClusterSteps.target(cluster, instance),
                    BackgroundRuns.runId(execution, "start-" + instance.getInsId()));
            all &= run.done();
        }
        execution.setVariable(STARTED, all);
    }
}
