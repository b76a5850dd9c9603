package io.polarstack.orchestrator.delegates.removero;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_CheckRemoveRo: the instance named by {@code insId} (annotation removeIns) may be removed: any RO, or a tempro
 * left by a cancelled replacement. The RW is refused with {@code RW_NOT_REMOVABLE}, before anything changes. An
 * instance that is gone already leaves nothing to remove. Reads only.
 */
@Component
public class CheckRemoveRoDelegate implements JavaDelegate {

    static final String RW_NOT_REMOVABLE = "RW_NOT_REMOVABLE";
    private static final Logger LOG = LoggerFactory.getLogger(CheckRemoveRoDelegate.class);

    private final ClusterResources resources;

    public CheckRemoveRoDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = (String) execution.getVariable("insId");
        var instance = cluster.getStatus().getDbInstanceStatus().get(insId);
        if (instance == null) {
            LOG.info("instance {} is not in the cluster (removed already?): nothing to remove", insId);
            return;
        }
        if (InstanceRole.rw(instance) || insId.equals(cluster.getStatus().getLeaderInstanceId())) {
            throw new BpmnError(
                    RW_NOT_REMOVABLE,
                    RW_NOT_REMOVABLE + ": removeIns=" + insId + " names the RW; switch over first"
                            + " (annotation switchRw=<an RO>), then ask again to remove " + insId + " as an RO");
        }
    }
}
