package io.polarstack.orchestrator.testing;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the *E2E classes set up on the local cluster before their tests. */
public final class LocalClusterSetup {

    public static final Path KUBECONFIG = Path.of("/tmp/polarstack-local-cluster/kubeconfig");
    private static final String LOGS = "/tmp/polarstack-local-cluster/logs";
    /** The instance classes every cluster of the E2Es may use: the sample's and {@link RunningCluster#SMALL}. */
    private static final List<Path> CLASSES = List.of(
            Path.of("deploy/samples/catalog-class-polar.o.x4.medium.yaml"),
            Path.of("src/test/resources/e2e/catalog-class-" + RunningCluster.SMALL + ".yaml"));

    private LocalClusterSetup() {}

    /** The local images and their catalog entry, the CRD, the instance classes, and the namespace. */
    public static void imagesCatalogAndNamespace(KubernetesClient client, String namespace)
            throws IOException, InterruptedException {
        localImages();
        TestEnvironment.installCrd(client);
        for (Path classes : CLASSES) {
            configMaps(classes).forEach(c -> client.resource(c).forceConflicts().serverSideApply());
        }
        namespace(client, namespace);
    }

    /** The ConfigMaps of a catalog file. */
    public static List<ConfigMap> configMaps(Path yaml) throws IOException {
        List<HasMetadata> items = Serialization.unmarshal(Files.readString(yaml));
        return items.stream().map(ConfigMap.class::cast).toList();
    }

    /** Creates the namespace and waits until it takes pods: its default ServiceAccount has its token. */
    public static String namespace(KubernetesClient client, String namespace) {
        TestEnvironment.createNamespace(client, namespace);
        await(
                Duration.ofSeconds(60),
                () -> "default ServiceAccount token in " + namespace + "; see " + LOGS + "/kcm.log",
                () -> {
                    var sa = client.serviceAccounts()
                            .inNamespace(namespace)
                            .withName("default")
                            .get();
                    return sa != null
                            && sa.getSecrets() != null
                            && !sa.getSecrets().isEmpty();
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
        assertThat(images.exitValue())
                .as("exit code of scripts/local-images (its output is above)")
                .isZero();
    }

    /** A pod's phase, conditions and container states, for a failure message. */
    public static String podStatus(KubernetesClient client, String namespace, String name) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        return pod == null
                ? "absent"
                : pod.getStatus().getPhase() + " " + pod.getStatus().getConditions() + " "
                        + pod.getStatus().getContainerStatuses();
    }
}
