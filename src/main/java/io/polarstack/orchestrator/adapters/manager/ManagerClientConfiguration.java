package io.polarstack.orchestrator.adapters.manager;

import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.PodExec;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ManagerClientConfiguration {

    /**
     * The manager image puts the agent on PATH as {@code manager-agent} (rootfs/usr/local/bin/manager-agent), which
     * asks the resident agent; {@code env,POLARSTACK_AGENT_ONE_SHOT=1,manager-agent} starts a JVM per call instead.
     */
    @Bean
    ManagerClient managerClient(
            PodExec podExec, @Value("${orchestrator.manager.agent-command:manager-agent}") List<String> command) {
        if (command.isEmpty() || command.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(
                    "orchestrator.manager.agent-command must name a command (argv, comma-separated): " + command);
        }
        return new JsonManagerClient(podExec, List.copyOf(command), JsonManagerClient.defaultTimeouts());
    }
}
