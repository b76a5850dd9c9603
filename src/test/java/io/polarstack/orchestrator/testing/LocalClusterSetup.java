package io.polarstack.orchestrator.testing;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** What the *E2E classes set up on the local cluster before their tests. */
public final class LocalClusterSetup {

    private static final String LOGS = "/tmp/polarstack-local-cluster/logs";

    private LocalClusterSetup() {
    }

    /** Creates the namespace and waits until it takes pods: its default ServiceAccount has its token. */
    public static String namespace(KubernetesClient client, String namespace) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .create();
        await(Duration.ofSeconds(60), () -> "default ServiceAccount token in " + namespace + "; see " + LOGS + "/kcm.log",
                () -> {
                    var sa = client.serviceAccounts().inNamespace(namespace).withName("default").get();
                    return sa != null && sa.getSecrets() != null && !sa.getSecrets().isEmpty();
                });
        return namespace;
    }

    /** The postgresql flavour's images and catalog entry `local` (scripts/local-images: cached, idempotent). */
    public static void localImages() throws IOException, InterruptedException {
        Process images = new ProcessBuilder("scripts/local-images").inheritIO().start();
        if (!images.waitFor(15, TimeUnit.MINUTES)) {
            images.destroyForcibly();
            throw new AssertionError("scripts/local-images did not finish within 15 min");
        }
        assertThat(images.exitValue()).as("exit code of scripts/local-images (its output is above)").isZero();
    }
}
