package io.polarstack.orchestrator.delegates.common;

import java.util.Map;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.specs.Labels;

/**
 * Task_JoinTopology: the caught-up new instance becomes an RO: insType ro, and its pod joins the RO Service (label
 * role=ro). Sets {@code oldIsRw} when the instance it replaces is the RW: that one is not removed here, its caller
 * switches over first. Sets, never toggles, so safe twice.
 */
@Component
public class JoinTopologyDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public JoinTopologyDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String newId = (String) execution.getVariable(NewInstances.NEW_INS_ID);
        var instance = ClusterSteps.instance(cluster, newId);
        String ns = cluster.getMetadata().getNamespace();
        var old = instance.getReplacesInsId() == null ? null : cluster.getStatus().getDbInstanceStatus().get(instance.getReplacesInsId());
        execution.setVariable("oldIsRw", old != null && ("rw".equals(old.getInsType())
                || old.getInsId().equals(cluster.getStatus().getLeaderInstanceId())));
        if ("rw".equals(instance.getInsType())) {
            return;  // a resumed flow whose caller already switched over to it: it stays the RW
        }
        resources.labelPod(ns, instance.getPodName(), Map.of(Labels.ROLE, "ro"));
        if (!NewInstances.TEMPRO.equals(instance.getInsType())) {
            return;
        }
        var updated = resources.updateStatus(ns, cluster.getMetadata().getName(),
                status -> status.getDbInstanceStatus().get(newId).setInsType("ro"));
        resources.event(updated, "Normal", "RoJoined", "ro " + newId + " on " + instance.getNodeName() + " takes reads"
                + (old == null ? "" : "; it replaces " + old.getInsType() + " " + old.getInsId()));
    }
}
