package io.polarstack.orchestrator.testing;

import io.polarstack.orchestrator.engine.RetryProfilePlugin;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.yaml.snakeyaml.Yaml;

/** In-memory engines for *ProcessTest: job executor off, the retry profiles of application.yml, given beans. */
public final class TestEngines {

    private TestEngines() {}

    public static ProcessEngine inMemory(
            String name, Map<String, Object> beans, org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin... plugins) {
        var configuration = (ProcessEngineConfigurationImpl)
                ProcessEngineConfiguration.createStandaloneInMemProcessEngineConfiguration();
        configuration.setProcessEngineName(name);
        configuration.setJdbcUrl("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        configuration.setJobExecutorActivate(false);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<Object, Object> live =
                (Map) beans; // read on each lookup: FlowHarness hands in a view of its current context
        configuration.setBeans(live);
        configuration.setLoggingContextBusinessKey("businessKey");
        configuration.setLoggingContextActivityId("step");
        configuration.getProcessEnginePlugins().add(new RetryProfilePlugin(configuredRetryProfiles()));
        configuration.getProcessEnginePlugins().addAll(java.util.List.of(plugins));
        return configuration.buildProcessEngine();
    }

    /** The profiles exactly as application.yml ships them, so tests see the real attempt counts. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> configuredRetryProfiles() {
        try (InputStream in = TestEngines.class.getResourceAsStream("/application.yml")) {
            Map<String, Object> yaml = new Yaml().load(in);
            var orchestrator = (Map<String, Object>) yaml.get("orchestrator");
            return (Map<String, String>) orchestrator.get("retry-profiles");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
