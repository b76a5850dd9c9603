package io.polarstack.orchestrator.ports;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Kubernetes objects the orchestrator reads and writes. */
public interface ClusterResources {

    /** The API server's version, e.g. {@code v1.20.2}; fails when the API server cannot be reached. */
    String serverVersion();

    boolean namespaceExists(String namespace);

    /** Nodes matching a label selector ({@code key=value,key2}); empty selector = all nodes. */
    List<Node> nodes(String labelSelector);

    /** A Secret's data, decoded; empty when the Secret does not exist. */
    Optional<Map<String, byte[]>> secretData(String namespace, String name);

    /** A ConfigMap's data; empty when the ConfigMap does not exist. */
    Optional<Map<String, String>> configMapData(String namespace, String name);

    /** A Node as the orchestrator needs it; {@code internalIp} is null when the Node reports none. */
    record Node(String name, String internalIp, Map<String, String> labels, Map<String, String> annotations) {
        public Node {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }
    }
}
