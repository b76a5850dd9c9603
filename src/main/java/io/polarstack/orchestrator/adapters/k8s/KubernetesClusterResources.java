package io.polarstack.orchestrator.adapters.k8s;

import org.springframework.stereotype.Component;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.ports.ClusterResources;

@Component
class KubernetesClusterResources implements ClusterResources {

    private final KubernetesClient client;

    KubernetesClusterResources(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String serverVersion() {
        return client.getKubernetesVersion().getGitVersion();
    }

    @Override
    public boolean namespaceExists(String namespace) {
        return client.namespaces().withName(namespace).get() != null;
    }
}
