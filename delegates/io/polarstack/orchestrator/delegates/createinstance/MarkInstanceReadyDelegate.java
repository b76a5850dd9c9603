package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_MarkInstanceReady: installed, where it runs, RUNNING; the RW becomes the cluster's leader. */
@Component
public class MarkInstanceReadyDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterStatusWriter status;

    public MarkInstanceReadyDelegate(ClusterResources resources, ClusterStatusWriter status) {
        this.resources = resources;
        this.status = status;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String insId = (String) execution.getVariable("insId");
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, insId);
        var pod = resources
                .pod(cluster.getMetadata().getNamespace(), instance.getPodName())
                .orElseThrow(() -> new IllegalStateException(
                        "pod " + instance.getPodName() + " is gone; retry the flow from its pod step"));
        var updated = status.instanceReady(
                cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName(),
                insId,
                pod.nodeName(),
                pod.hostIp());
        resources.event(
                updated, "Normal", "InstanceReady", instance.getInsType() + " " + insId + " runs on " + pod.nodeName());
    }
}
