package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.specs.Labels;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_JoinTopology: the caught-up new instance becomes an RO: insType ro, and its pod joins the RO Service (label
 * role=ro). Sets {@code oldIsRw} when the instance it replaces is the RW: that one is not removed here, its caller
 * switches over first. Sets, never toggles, so safe twice.
 */
@Component
public class JoinTopologyDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public JoinTopologyDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String newId = (String) execution.getVariable(NewInstances.NEW_INS_ID);
        var instance = ClusterSteps.instance(cluster, newId);
        String ns = cluster.getMetadata().getNamespace();
        var old = instance.getReplacesInsId() == null
                ? null
                : cluster.getStatus().getDbInstanceStatus().get(instance.getReplacesInsId());
        execution.setVariable(
                "oldIsRw",
                old != null
                        && (InstanceRole.rw(old)
                                || old.getInsId().equals(cluster.getStatus().getLeaderInstanceId())));
        if (InstanceRole.rw(instance)) {
            return; // a resumed flow whose caller already switched over to it: it stays the RW
        }
        resources.labelPod(ns, instance.getPodName(), Map.of(Labels.ROLE, InstanceRole.RO));
        if (!InstanceRole.TEMPRO.equals(instance.getInsType())) {
            return;
        }
        var updated = status.role(ns, cluster.getMetadata().getName(), newId, InstanceRole.RO);
        resources.event(
                updated,
                "Normal",
                "RoJoined",
                "ro " + newId + " on " + instance.getNodeName() + " takes reads"
                        + (old == null ? "" : "; it replaces " + old.getInsType() + " " + old.getInsId()));
    }
}
