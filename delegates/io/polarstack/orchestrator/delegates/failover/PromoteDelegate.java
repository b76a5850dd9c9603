package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.DataDurability;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.InstanceProbe;
import io.polarstack.orchestrator.service.SyncStandbys;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_Promote: the candidate becomes the primary (a primary already answers at once, so a retry is safe). With
 * dataDurability required it first gets the cluster's quorum in synchronous_standby_names (a replica keeps the setting
 * unused), so its first commit as the RW already waits for an RO: between two failovers no commit is acknowledged that
 * only the new RW holds.
 */
@Component
public class PromoteDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(PromoteDelegate.class);

    private final ClusterResources resources;
    private final ManagerClient manager;
    private final InstanceProbe probe;

    public PromoteDelegate(ClusterResources resources, ManagerClient manager, InstanceProbe probe) {
        this.resources = resources;
        this.manager = manager;
        this.probe = probe;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var candidate = FailoverSteps.candidate(cluster, execution);
        if (DataDurability.of(cluster) == DataDurability.REQUIRED) {
            String quorum = SyncStandbys.value(cluster, true, List.of());
            probe.setSynchronousStandbyNames(cluster, candidate, quorum, EngineWalPositions.TIMEOUT);
            LOG.info("{} synchronous_standby_names '{}' before promotion", candidate.getInsId(), quorum);
        }
        var role = manager.promote(ClusterSteps.target(cluster, candidate));
        LOG.info("{} promoted: timeline {}", candidate.getInsId(), role.timeline());
    }
}
