package io.polarstack.orchestrator.adapters.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.ports.ClusterResources;

/** The fabric8 {@link ClusterResources} for tests of other adapters, without a Spring context. */
public final class TestClusterResources {

    private TestClusterResources() {}

    public static ClusterResources of(KubernetesClient client) {
        return new KubernetesClusterResources(client);
    }
}
