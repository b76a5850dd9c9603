package io.polarstack.orchestrator.engine;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParse;
import org.camunda.bpm.engine.impl.bpmn.parser.DefaultFailedJobParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.FailedJobRetryConfiguration;
import org.camunda.bpm.engine.impl.calendar.DurationHelper;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;

/**
 * Turns each service task's {@code retryProfile} extension property into its failed-job retry
 * cycle, so retry policy lives in configuration ({@code orchestrator.retry-profiles.<name>})
 * instead of being copied into every model. A model naming an unknown profile fails to deploy.
 */
public class RetryProfilePlugin extends AbstractProcessEnginePlugin {

    public static final String PROPERTY = "retryProfile";

    private final Map<String, String> profiles;

    public RetryProfilePlugin(Map<String, String> profiles) {
        this.profiles = new TreeMap<>(profiles);
        this.profiles.forEach(RetryProfilePlugin::checkCycle);
    }

    private static void checkCycle(String name, String cycle) {
        try {
            for (String part : cycle.split(",")) {
                new DurationHelper(part.trim());
            }
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "orchestrator.retry-profiles." + name + " = '" + cycle
                            + "' is not a retry cycle; use an ISO 8601 repetition such as R5/PT5S",
                    e);
        }
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        if (configuration.getCustomPostBPMNParseListeners() == null) {
            configuration.setCustomPostBPMNParseListeners(new ArrayList<>());
        }
        // Post-parse, so the profile wins over the engine's default failed-job listener.
        configuration.getCustomPostBPMNParseListeners().add(new Listener());
    }

    private class Listener extends AbstractBpmnParseListener {
        @Override
        public void parseServiceTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            String profile = profileOf(element);
            if (profile == null) {
                return;
            }
            String cycle = profiles.get(profile);
            if (cycle == null) {
                throw new ProcessEngineException("service task '" + activity.getId() + "' names retry profile '"
                        + profile + "', which is not configured; known profiles: " + profiles.keySet()
                        + " (add orchestrator.retry-profiles." + profile + " or fix the model)");
            }
            var expression = Context.getProcessEngineConfiguration()
                    .getExpressionManager()
                    .createExpression(cycle);
            activity.getProperties()
                    .set(
                            DefaultFailedJobParseListener.FAILED_JOB_CONFIGURATION,
                            new FailedJobRetryConfiguration(expression));
        }
    }

    static String profileOf(Element task) {
        Element extensions = task.element("extensionElements");
        Element properties =
                extensions == null ? null : extensions.elementNS(BpmnParse.CAMUNDA_BPMN_EXTENSIONS_NS, "properties");
        if (properties == null) {
            return null;
        }
        for (Element property : properties.elementsNS(BpmnParse.CAMUNDA_BPMN_EXTENSIONS_NS, "property")) {
            if (PROPERTY.equals(property.attribute("name"))) {
                return property.attribute("value");
            }
        }
        return null;
    }
}
