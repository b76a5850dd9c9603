package io.polarstack.orchestrator;

import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code orchestrator.*}; every one is listed in README's configuration table.
 *
 * @param retryProfiles failed-job retry cycle per profile name, e.g. {@code k8s: R5/PT5S}
 * @param admin         the engine user created at first start
 * @param kubernetes    how to reach the Kubernetes API
 */
@ConfigurationProperties("orchestrator")
public record OrchestratorProperties(Map<String, String> retryProfiles, Admin admin, Kubernetes kubernetes) {

    public OrchestratorProperties {
        retryProfiles = retryProfiles == null ? Map.of() : Map.copyOf(retryProfiles);
        admin = admin == null ? new Admin(null, null, null) : admin;
        kubernetes = kubernetes == null ? new Kubernetes(null) : kubernetes;
    }

    /**
     * @param id           user id, default {@code admin}
     * @param password     password (also from env ORCHESTRATOR_ADMIN_PASSWORD)
     * @param passwordFile file holding the password, e.g. a mounted Secret
     */
    public record Admin(String id, String password, String passwordFile) {
        public Admin {
            id = id == null || id.isBlank() ? "admin" : id;
        }
    }

    /** @param kubeconfig path of a kubeconfig file; empty = KUBECONFIG, ~/.kube/config or in-cluster */
    public record Kubernetes(String kubeconfig) {
    }
}
