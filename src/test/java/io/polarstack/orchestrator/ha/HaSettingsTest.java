package io.polarstack.orchestrator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.OrchestratorProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.io.ClassPathResource;

/** orchestrator.ha.* as shipped in application.yml, and as overridden. */
class HaSettingsTest {

    @Test
    void theShippedDefaults() throws Exception {
        var yaml = new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"));
        var ha = new Binder(ConfigurationPropertySources.from(yaml))
                .bind("orchestrator", OrchestratorProperties.class)
                .get()
                .ha();
        assertThat(ha)
                .isEqualTo(new OrchestratorProperties.Ha(
                        true,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(20)));
    }

    @Test
    void overridesAndMissingValues() {
        var source = new MapConfigurationPropertySource(Map.of(
                "orchestrator.ha.enabled",
                "false",
                "orchestrator.ha.failover-after",
                "10s",
                "orchestrator.ha.startup-grace",
                "0s",
                "orchestrator.operator.name",
                "x"));
        var properties = new Binder(List.of(source))
                .bind("orchestrator", OrchestratorProperties.class)
                .get();
        assertThat(properties.ha())
                .isEqualTo(new OrchestratorProperties.Ha(
                        false,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(2),
                        Duration.ZERO));
        assertThat(new OrchestratorProperties(Map.of(), null, null, null, null)
                        .ha()
                        .enabled())
                .isTrue();
    }
}
