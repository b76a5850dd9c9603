package io.polarstack.orchestrator.delegates.createinstance;

import java.time.Instant;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;

/** Task_MarkInstanceReady: installed, where it runs, RUNNING; the RW becomes the cluster's leader. */
@Component
public class MarkInstanceReadyDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public MarkInstanceReadyDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String insId = (String) execution.getVariable("insId");
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, insId);
        var pod = resources.pod(cluster.getMetadata().getNamespace(), instance.getPodName()).orElseThrow(() ->
                new IllegalStateException("pod " + instance.getPodName() + " is gone; retry the flow from its pod step"));
        var updated = resources.updateStatus(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), status -> {
            var entry = status.getDbInstanceStatus().get(insId);
            entry.setInstalled(true);
            entry.setNodeName(pod.nodeName());
            entry.setHostClientIP(pod.hostIp());
            entry.getNetInfo().setWorkingHostIP(pod.hostIp());
            var state = new InstanceState();
            state.setState("RUNNING");
            state.setStartAt(Instant.now().toString());
            entry.setLastState(entry.getCurrentState());
            entry.setCurrentState(state);
            if ("rw".equals(entry.getInsType())) {
                status.setLeaderInstanceId(insId);
                status.setLeaderInstanceHost(pod.nodeName());
            }
        });
        resources.event(updated, "Normal", "InstanceReady", instance.getInsType() + " " + insId + " runs on " + pod.nodeName());
    }
}
