package io.polarstack.orchestrator.delegates.flushparams;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ApplyParams, once per instance ({@code insId}, the RW first): the manager agent writes the changed keys into
 * the postgresql.conf it manages (the server checks each value first) and reloads. Writing the same keys again is a
 * no-op for the engine, so a retry is safe; a name that needs a restart stays pending until RestartCluster.
 */
@Component
public class ApplyParamsDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public ApplyParamsDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, (String) execution.getVariable("insId"));
        manager.updateParams(ClusterSteps.target(cluster, instance), Flush.map(execution, Flush.CHANGES));
    }
}
