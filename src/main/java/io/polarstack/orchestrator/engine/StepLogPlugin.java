package io.polarstack.orchestrator.engine;

import java.time.Instant;
import java.util.ArrayList;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At DEBUG, one line when a step (service task, call activity) starts and one when it ends, with the thread and a
 * microsecond time: history keeps milliseconds and no thread, and bench/cluster-flow-overhead.py needs both to time the
 * hand-over between two steps and to tell whether the next step ran on the same thread. Off, it costs one level check.
 */
public class StepLogPlugin extends AbstractProcessEnginePlugin {

    private static final Logger LOG = LoggerFactory.getLogger(StepLogPlugin.class);

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        if (configuration.getCustomPreBPMNParseListeners() == null) {
            configuration.setCustomPreBPMNParseListeners(new ArrayList<>());
        }
        // Pre-parse and built in: the start line comes before any other listener, as the history's start time does.
        configuration.getCustomPreBPMNParseListeners().add(new AbstractBpmnParseListener() {
            @Override
            public void parseServiceTask(Element element, ScopeImpl scope, ActivityImpl activity) {
                add(activity);
            }

            @Override
            public void parseCallActivity(Element element, ScopeImpl scope, ActivityImpl activity) {
                add(activity);
            }
        });
    }

    private static void add(ActivityImpl activity) {
        activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, (ExecutionListener) e -> log("start", e));
        activity.addBuiltInListener(ExecutionListener.EVENTNAME_END, (ExecutionListener) e -> log("end", e));
    }

    private static void log(String event, DelegateExecution execution) {
        if (LOG.isDebugEnabled()) {
            Instant now = Instant.now();
            LOG.debug(
                    "step {} {} of {} at {} on {}",
                    event,
                    execution.getCurrentActivityId(),
                    execution.getProcessInstanceId(),
                    now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000,
                    Thread.currentThread().getName());
        }
    }
}
