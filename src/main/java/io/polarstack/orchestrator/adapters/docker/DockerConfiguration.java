package io.polarstack.orchestrator.adapters.docker;

import io.polarstack.orchestrator.ImageBuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DockerConfiguration {

    @Bean(destroyMethod = "close")
    DockerImageBuilder dockerImageBuilder(ImageBuildProperties properties) {
        return new DockerImageBuilder(properties.dockerHost());
    }
}
