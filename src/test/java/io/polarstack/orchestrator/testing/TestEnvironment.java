package io.polarstack.orchestrator.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Endpoints and credentials of the real components started by {@code scripts/test-env up}, read from
 * the env file it writes. A test that needs one and does not find it fails, naming the command.
 */
public final class TestEnvironment {

    private static final Path FILE =
            Path.of(System.getenv().getOrDefault("POLARSTACK_TEST_ENV_FILE", "/tmp/polarstack-test-env/env"));
    private static Map<String, String> values;

    private TestEnvironment() {}

    public static synchronized String get(String key) {
        if (values == null) {
            values = load();
        }
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(
                    FILE + " has no " + key + "; start the test services with: sudo scripts/test-env up");
        }
        return value;
    }

    /** A client for the test environment's kube-apiserver; close it after use. */
    public static KubernetesClient kubernetes() {
        return new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(new java.io.File(get("KUBECONFIG"))))
                .build();
    }

    /** Creates the namespace {@code name} (each test class works in a namespace of its own). */
    public static void createNamespace(KubernetesClient client, String name) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
    }

    /** Applies deploy/040-Crd-mpdcluster.yaml and waits until the API server serves MPDCluster. */
    public static void installCrd(KubernetesClient client) {
        try (var in = Files.newInputStream(Path.of("deploy/040-Crd-mpdcluster.yaml"))) {
            var crd = client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .load(in)
                    .item();
            client.resource(crd).forceConflicts().serverSideApply();
            awaitEstablished(client, crd);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the API server serves the resource type {@code crd} defines. */
    public static void awaitEstablished(KubernetesClient client, CustomResourceDefinition crd) {
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crd.getMetadata().getName())
                .waitUntilCondition(
                        c -> c.getStatus() != null
                                && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(cond -> cond.getType().equals("Established")
                                                && cond.getStatus().equals("True")),
                        30,
                        java.util.concurrent.TimeUnit.SECONDS);
    }

    private static Map<String, String> load() {
        if (!Files.isReadable(FILE)) {
            throw new IllegalStateException("test services are not running (" + FILE
                    + " not found); start them with: sudo scripts/test-env up");
        }
        try {
            Map<String, String> map = new HashMap<>();
            for (String line : Files.readAllLines(FILE)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    map.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return map;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + FILE, e);
        }
    }
}
