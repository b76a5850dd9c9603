package io.polarstack.orchestrator.delegates.flushparams;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_RejectFlush: a parameter was refused; nothing was written. The flushParams annotation goes, and
 * OperationAvailable=False (reason PARAMS_REFUSED) and a Warning event name every refused parameter.
 */
@Component
public class RejectFlushDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public RejectFlushDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String refusal = (String) execution.getVariable("refusal");
        Requests.refuse(
                resources,
                status,
                cluster,
                Annotations.FLUSH_PARAMS,
                v -> true,
                PlanFlushDelegate.PARAMS_REFUSED,
                refusal == null ? PlanFlushDelegate.PARAMS_REFUSED : refusal);
    }
}
