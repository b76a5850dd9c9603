package io.polarstack.orchestrator.delegates.extendstorage;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.specs.InstancePlan;
import io.polarstack.orchestrator.specs.InstancePods;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_ResizeVolumes (local mode): with {@code localStore.storageClassName} every instance's data claim is applied
 * again with the new size, which asks the storage class to expand the volume (it must allow volume expansion; the
 * API server refuses it otherwise, naming the class). Without a storage class the data directory is a host path with
 * no enforced size: the quota is the recorded figure only, and there is nothing to resize.
 */
@Component
public class ResizeVolumesDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(ResizeVolumesDelegate.class);

    private final ClusterResources resources;

    public ResizeVolumesDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        if (ClusterSteps.share(cluster) || cluster.getStatus().getDbInstanceStatus() == null) {
            return;
        }
        for (var instance : cluster.getStatus().getDbInstanceStatus().values()) {
            var plan = new InstancePlan(
                    instance.getInsId(),
                    instance.getPhysicalInsId(),
                    instance.getInsType(),
                    instance.getNetInfo().getWorkingPort(),
                    instance.getNodeName(),
                    Set.of(),
                    null,
                    null,
                    null);
            var claim = InstancePods.dataClaim(cluster, plan);
            if (claim == null) {
                return; // no storage class: a host path, the quota is the figure in status
            }
            LOG.info("claim {}: {}", claim.getMetadata().getName(), resources.apply(claim));
        }
    }
}
