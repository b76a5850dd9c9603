package io.polarstack.orchestrator.testing;

import io.polarstack.orchestrator.cli.ImageBuildCommand;
import io.polarstack.orchestrator.engine.RetryProfilePlugin;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;

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
        // As application.yml: background runs count the step's past incidents (BackgroundRuns) in history.
        configuration.setHistory(ProcessEngineConfiguration.HISTORY_FULL);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<Object, Object> live =
                (Map) beans; // read on each lookup: FlowHarness hands in a view of its current context
        configuration.setBeans(live);
        configuration.setLoggingContextBusinessKey("businessKey");
        configuration.setLoggingContextActivityId("step");
        configuration.getProcessEnginePlugins().add(new RetryProfilePlugin(ImageBuildCommand.shippedRetryProfiles()));
        configuration.getProcessEnginePlugins().addAll(java.util.List.of(plugins));
        return configuration.buildProcessEngine();
    }
}
