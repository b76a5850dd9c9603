package io.polarstack.orchestrator.adapters.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.ports.PodExec;

/** The production {@link PodExec} for tests outside this package (it stays package-private in main). */
public final class PodExecs {

    private PodExecs() {}

    public static PodExec kubernetes(KubernetesClient client) {
        return new KubernetesPodExec(client);
    }
}
