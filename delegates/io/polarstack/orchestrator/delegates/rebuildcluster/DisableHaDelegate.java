package io.polarstack.orchestrator.delegates.rebuildcluster;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;

/**
 * Task_DisableHa: the HA monitor leaves the cluster alone while every pod is rebuilt (a RW that is down on purpose is
 * no reason to fail over). Task_EnableHa turns it on again at the end. Writes one condition.
 */
@Component
public class DisableHaDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public DisableHaDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        resources.updateStatus(ClusterSteps.namespace(execution), ClusterSteps.name(execution), status -> Conditions.set(status,
                Conditions.AUTO_FAILOVER, false, "Paused", "RebuildCluster " + execution.getProcessInstanceId() + " rebuilds every instance"));
    }
}
