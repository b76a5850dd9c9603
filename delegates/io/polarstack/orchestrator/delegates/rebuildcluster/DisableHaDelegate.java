package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_DisableHa: the HA monitor leaves the cluster alone while every pod is rebuilt (a RW that is down on purpose is
 * no reason to fail over). Task_EnableHa turns it on again at the end. Writes one condition.
 */
@Component
public class DisableHaDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public DisableHaDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        status.condition(
                ClusterSteps.namespace(execution),
                ClusterSteps.name(execution),
                Conditions.AUTO_FAILOVER,
                false,
                Conditions.PAUSED,
                "RebuildCluster " + execution.getProcessInstanceId() + " rebuilds every instance");
    }
}
