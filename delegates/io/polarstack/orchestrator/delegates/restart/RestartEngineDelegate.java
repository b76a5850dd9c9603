package io.polarstack.orchestrator.delegates.restart;

import io.polarstack.orchestrator.delegates.common.BackgroundRuns;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_RestartEngine: the manager restarts the engine (a stop that may wait for sessions, then crash recovery: longer
 * than a job lock), as a background run this step starts and then polls ({@code engineRestarted}). The run id is the
 * same on every poll and rerun, so the engine restarts once; a retry after an incident starts a new run.
 */
@Component
public class RestartEngineDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public RestartEngineDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, RestartSteps.insId(execution));
        var run = manager.restartInBackground(
                ClusterSteps.target(cluster, instance),
                BackgroundRuns.runId(execution, "restart-" + instance.getInsId()));
        execution.setVariable(RestartSteps.ENGINE_RESTARTED, run.done());
        execution.removeVariable(RestartSteps.RW_POSITION); // the catch-up mark is read after this restart
        if (run.done()) {
            resources.event(
                    cluster,
                    "Normal",
                    "EngineRestarted",
                    "instance " + instance.getInsId() + " (pod " + instance.getPodName() + ") restarted its engine");
        }
    }
}
