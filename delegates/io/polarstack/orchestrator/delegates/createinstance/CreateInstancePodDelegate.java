package io.polarstack.orchestrator.delegates.createinstance;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import io.polarstack.orchestrator.specs.InstancePlan;
import io.polarstack.orchestrator.specs.InstancePods;
import io.polarstack.orchestrator.specs.Labels;
import java.util.HashSet;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_CreateInstancePod: the instance's pod (and its claim in local mode with a storage class); unchanged when it
 * exists. Optional variables: {@code targetNode} pins it, {@code className} overrides the spec's class, {@code keepData}
 * (RebuildCluster) pins a local-mode instance to the node that holds its data directory.
 */
@Component
public class CreateInstancePodDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterCatalog catalog;
    private final String hostRoot;

    public CreateInstancePodDelegate(
            ClusterResources resources,
            ClusterCatalog catalog,
            @org.springframework.beans.factory.annotation.Value(
                            "${orchestrator.instance-host-root:/var/lib/polarstack}")
                    String hostRoot) {
        this.resources = resources;
        this.catalog = catalog;
        this.hostRoot = hostRoot;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = (String) execution.getVariable("insId");
        var instance = ClusterSteps.instance(cluster, insId);
        if (Boolean.TRUE.equals(instance.getInstalled())) {
            return;
        }
        Set<String> unavailable = new HashSet<>();
        resources.nodes("").stream()
                .filter(n -> n.labels().containsKey(Labels.MAINTAIN_NODE))
                .forEach(n -> unavailable.add(n.name()));
        String targetNode = (String) execution.getVariable("targetNode");
        if (targetNode == null
                && Boolean.TRUE.equals(execution.getVariable("keepData"))
                && !ClusterSteps.share(cluster)) {
            targetNode = instance.getNodeName(); // local mode: the data directory stays on the node it was made on
        }
        var plan = new InstancePlan(
                insId,
                instance.getPhysicalInsId(),
                instance.getInsType(),
                instance.getNetInfo().getWorkingPort(),
                targetNode,
                unavailable,
                (String) execution.getVariable("engineImage"),
                (String) execution.getVariable("managerImage"),
                (String) execution.getVariable("pfsdImage"));
        var claim = InstancePods.dataClaim(cluster, plan);
        if (claim != null) {
            resources.apply(claim);
        }
        // className: a replacement may run another class than the spec's (ModifyClass)
        String className = (String) execution.getVariable("className");
        var classResources = catalog.classResources(
                cluster,
                className != null ? className : cluster.getSpec().getClassInfo().getClassName());
        resources.apply(InstancePods.build(cluster, plan, classResources, hostRoot));
    }
}
