package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Task_Promote: the candidate becomes the primary (a primary already answers at once, so a retry is safe). */
@Component
public class PromoteDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(PromoteDelegate.class);

    private final ClusterResources resources;
    private final ManagerClient manager;

    public PromoteDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var candidate = FailoverSteps.candidate(cluster, execution);
        var role = manager.promote(ClusterSteps.target(cluster, candidate));
        LOG.info("{} promoted: timeline {}", candidate.getInsId(), role.timeline());
    }
}
