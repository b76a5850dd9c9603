package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.delegates.common.BackgroundRuns;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_StopExpiredInstances: starts (first run) or polls (the timer loop's reruns) a background stop of every
 * instance. The agent's stop creates {@code /data/ins_lock} first, so the container's supervisor keeps the engine down
 * while the container keeps running. Sets {@code expiredStopped} once every run is done. All runs go at once: a
 * cluster is locked in the time of its slowest stop, not their sum.
 */
@Component
public class StopExpiredInstancesDelegate implements JavaDelegate {

    static final String STOPPED = "expiredStopped";
    static final int STOP_TIMEOUT_SECONDS = 60;

    private final ClusterResources resources;
    private final ManagerClient manager;

    public StopExpiredInstancesDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        boolean all = true;
        for (var instance : LockSteps.instances(cluster)) {
            var run = manager.stopInBackground(
                    ClusterSteps.target(cluster, instance),
                    ManagerClient.StopMode.FAST,
                    STOP_TIMEOUT_SECONDS,
                    BackgroundRuns.runId(execution, "stop-" + instance.getInsId()));
            all &= run.done();
        }
        execution.setVariable(STOPPED, all);
    }
}
