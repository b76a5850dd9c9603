package io.polarstack.orchestrator.adapters.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.polarstack.orchestrator.OrchestratorProperties;
import java.io.File;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class KubernetesClientConfiguration {

    /** Lazy about the network: the orchestrator starts even while the API server is unreachable. */
    @Bean(destroyMethod = "close")
    KubernetesClient kubernetesClient(OrchestratorProperties properties) {
        String kubeconfig = properties.kubernetes().kubeconfig();
        Config config;
        if (kubeconfig == null || kubeconfig.isBlank()) {
            config = Config.autoConfigure(null);
        } else {
            File file = new File(kubeconfig);
            if (!file.canRead()) {
                throw new IllegalStateException(
                        "orchestrator.kubernetes.kubeconfig " + file
                                + " cannot be read; point it at a kubeconfig file or unset it to use KUBECONFIG or in-cluster config");
            }
            config = Config.fromKubeconfig(file);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
