package io.polarstack.orchestrator.adapters.k8s;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Component;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Secret;
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

    @Override
    public List<Node> nodes(String labelSelector) {
        var nodes = labelSelector == null || labelSelector.isBlank()
                ? client.nodes().list()
                : client.nodes().withLabelSelector(labelSelector).list();
        return nodes.getItems().stream().map(n -> new Node(n.getMetadata().getName(),
                n.getStatus() == null || n.getStatus().getAddresses() == null ? null
                        : n.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                                .map(NodeAddress::getAddress).findFirst().orElse(null),
                n.getMetadata().getLabels(), n.getMetadata().getAnnotations())).toList();
    }

    @Override
    public Optional<Map<String, byte[]>> secretData(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, byte[]> data = new HashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        return Optional.of(data);
    }

    @Override
    public Optional<Map<String, String>> configMapData(String namespace, String name) {
        ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(name).get();
        return configMap == null ? Optional.empty()
                : Optional.of(configMap.getData() == null ? Map.of() : Map.copyOf(configMap.getData()));
    }
}
