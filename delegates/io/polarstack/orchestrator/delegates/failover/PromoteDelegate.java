package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.DataDurability;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.EngineProbe.Promotion;
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
 * only the new RW holds. The promotion is one SQL session ({@code pg_promote}), which saves the write outage a pod
 * exec; an engine older than PostgreSQL 12 is promoted by its manager, and so is an async one that SQL cannot reach
 * (the old RW is fenced already, so either path is safe).
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
        boolean required = DataDurability.of(cluster) == DataDurability.REQUIRED;
        String quorum = required ? SyncStandbys.value(cluster, true, List.of()) : null;
        Promotion promotion;
        try {
            promotion = probe.promote(cluster, candidate, quorum, EngineWalPositions.TIMEOUT);
        } catch (EngineProbe.Unreachable e) {
            if (required) {
                throw e; // the quorum must be set over SQL before anything is promoted
            }
            // Only when nothing reached the engine: a session that failed later may have waited its whole bound, and
            // the manager's promote after it would no longer fit the step's job lock. Its retry asks SQL again.
            LOG.warn("{}: {}; promoting through its manager", candidate.getInsId(), e.getMessage());
            promotion = Promotion.UNSUPPORTED;
        }
        if (quorum != null) {
            LOG.info("{} synchronous_standby_names '{}' before promotion", candidate.getInsId(), quorum);
        }
        if (promotion == Promotion.UNSUPPORTED) {
            var role = manager.promote(ClusterSteps.target(cluster, candidate));
            LOG.info("{} promoted by its manager: timeline {}", candidate.getInsId(), role.timeline());
        } else {
            LOG.info(
                    "{} {} by SQL",
                    candidate.getInsId(),
                    promotion == Promotion.PROMOTED ? "promoted" : "was the primary");
        }
    }
}
