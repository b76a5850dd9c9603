package io.polarstack.orchestrator.ports;

/** The Kubernetes objects the orchestrator reads and writes. */
public interface ClusterResources {

    /** The API server's version, e.g. {@code v1.20.2}; fails when the API server cannot be reached. */
    String serverVersion();

    boolean namespaceExists(String namespace);
}
