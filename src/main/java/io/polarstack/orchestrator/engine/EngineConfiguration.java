package io.polarstack.orchestrator.engine;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The engine plugins; the Camunda starter adds every ProcessEnginePlugin bean to the engine. */
@Configuration(proxyBeanMethods = false)
class EngineConfiguration {

    @Bean
    RetryProfilePlugin retryProfilePlugin(OrchestratorProperties properties) {
        return new RetryProfilePlugin(properties.retryProfiles());
    }

    @Bean
    ClusterStatusPlugin clusterStatusPlugin(ClusterResources resources, ApplicationEventPublisher events) {
        // One daemon thread shows every cluster's newest step; a job never waits for the API server to show it.
        return new ClusterStatusPlugin(
                resources, events::publishEvent, java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "cluster-step-mirror");
                    t.setDaemon(true);
                    return t;
                }));
    }

    @Bean
    ClusterFlowGuardPlugin clusterFlowGuardPlugin() {
        return new ClusterFlowGuardPlugin();
    }

    @Bean
    LostCommitPlugin lostCommitPlugin() {
        return new LostCommitPlugin();
    }

    @Bean
    JobLockOwnerPlugin jobLockOwnerPlugin(OrchestratorProperties properties) {
        return new JobLockOwnerPlugin(properties.operator().identity());
    }

    @Bean
    StepLogPlugin stepLogPlugin() {
        return new StepLogPlugin();
    }

    @Bean
    AdminUserPlugin adminUserPlugin(OrchestratorProperties properties) {
        return new AdminUserPlugin(properties.admin());
    }
}
