package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubeapitest.junit.KubeConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.polarstack.orchestrator.testing.TestEnvironment;
import org.junit.jupiter.api.Test;

/**
 * scripts/test-env lays the kube-apiserver it builds out where fabric8 kube-api-test looks, so a test can
 * start its own throw-away API server with no download.
 */
@EnableKubeAPIServer(kubeAPIVersion = "1.20.2", updateKubeConfigFile = false)
class KubeApiTestCacheIT {

    @KubeConfig
    static String kubeconfig;

    @Test
    void aPrivateApiServerStartsFromTheCache() {
        try (var client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo("v1.20.2");
            TestEnvironment.createNamespace(client, "private");
            assertThat(client.namespaces().withName("private").get()).isNotNull();
        }
    }
}
