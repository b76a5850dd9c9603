package io.polarstack.orchestrator.specs;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.polarstack.orchestrator.api.MPDCluster;
import java.util.Map;

/** The RW and RO endpoints of a cluster: Services selecting its instances by role label. */
public final class ClusterServices {

    private ClusterServices() {}

    /** {@code <cluster>-rw} or {@code <cluster>-ro}, on {@code port}, reaching each instance's {@code engine} port. */
    public static Service build(MPDCluster cluster, String role, int port) {
        String name = cluster.getMetadata().getName();
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name + "-" + role)
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.CLUSTER, name, Labels.ROLE, role))
                .withOwnerReferences(InstancePods.owner(cluster))
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of(Labels.CLUSTER, name, Labels.ROLE, role))
                .addNewPort()
                .withName("postgres")
                .withPort(port)
                .withProtocol("TCP")
                .withNewTargetPort("engine")
                .endPort() // by name: instances may listen on different ports
                .endSpec()
                .build();
    }
}
