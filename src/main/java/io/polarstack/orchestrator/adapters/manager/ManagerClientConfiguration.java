package io.polarstack.orchestrator.adapters.manager;

import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.PodExec;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ManagerClientConfiguration {

    /** The manager image puts the agent on PATH as {@code manager-agent} (rootfs/usr/local/bin/manager-agent). */
    @Bean
    ManagerClient managerClient(PodExec podExec) {
        return new JsonManagerClient(podExec, List.of("manager-agent"), JsonManagerClient.defaultTimeouts());
    }
}
