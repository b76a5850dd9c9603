package io.polarstack.orchestrator.engine;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.camunda.bpm.engine.runtime.Incident;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors a cluster flow's progress into its MPDCluster, so {@code kubectl get mpd} shows what Cockpit
 * shows: the current step on every step, {@code Interrupt} with the {@code interrupt.*} annotations and a
 * condition when a step stops with an incident, and the outcome at the end. A flow is a cluster flow when
 * it carries the {@code clusterNamespace}/{@code clusterName} variables. Mirroring never fails a step.
 */
public class ClusterStatusPlugin extends AbstractProcessEnginePlugin {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterStatusPlugin.class);

    /** Published once the transaction that ended a cluster's top-level flow has committed. */
    public record FlowEnded(String namespace, String name) {}

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final java.util.function.Consumer<FlowEnded> ended;
    private final StepMirror steps;

    /** Every write on the job thread, in order (process tests read the status right after a job). */
    public ClusterStatusPlugin(ClusterResources resources) {
        this(resources, e -> {}, Runnable::run);
    }

    /** Step starts are written by {@code stepWriter}, off the job thread; incidents and ends on it. */
    public ClusterStatusPlugin(
            ClusterResources resources,
            java.util.function.Consumer<FlowEnded> ended,
            java.util.concurrent.Executor stepWriter) {
        this.resources = resources;
        this.status = new ClusterStatusWriter(resources);
        this.ended = ended;
        this.steps = new StepMirror(stepWriter);
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        if (configuration.getCustomPostBPMNParseListeners() == null) {
            configuration.setCustomPostBPMNParseListeners(new ArrayList<>());
        }
        configuration.getCustomPostBPMNParseListeners().add(new AbstractBpmnParseListener() {
            @Override
            public void parseServiceTask(Element element, ScopeImpl scope, ActivityImpl activity) {
                activity.addListener(
                        ExecutionListener.EVENTNAME_START, (ExecutionListener) ClusterStatusPlugin.this::stepStarted);
            }

            @Override
            public void parseCallActivity(Element element, ScopeImpl scope, ActivityImpl activity) {
                activity.addListener(
                        ExecutionListener.EVENTNAME_START, (ExecutionListener) ClusterStatusPlugin.this::stepStarted);
            }

            @Override
            public void parseProcess(
                    Element element, org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity process) {
                process.addListener(
                        ExecutionListener.EVENTNAME_END, (ExecutionListener) ClusterStatusPlugin.this::flowEnded);
            }
        });
        List<org.camunda.bpm.engine.impl.incident.IncidentHandler> handlers =
                configuration.getCustomIncidentHandlers() == null
                        ? new ArrayList<>()
                        : new ArrayList<>(configuration.getCustomIncidentHandlers());
        handlers.add(new DefaultIncidentHandler(Incident.FAILED_JOB_HANDLER_TYPE) {
            @Override
            public Incident handleIncident(IncidentContext context, String message) {
                Incident incident = super.handleIncident(context, message);
                stepFailed(context, message);
                return incident;
            }
        });
        configuration.setCustomIncidentHandlers(handlers);
    }

    record Cluster(String namespace, String name) {}

    static Cluster clusterOf(DelegateExecution execution) {
        Object namespace = execution.getVariable(FlowKeys.NAMESPACE);
        Object name = execution.getVariable(FlowKeys.NAME);
        return namespace == null || name == null ? null : new Cluster(namespace.toString(), name.toString());
    }

    private void stepStarted(DelegateExecution execution) {
        Cluster cluster = clusterOf(execution);
        if (cluster == null) {
            return;
        }
        String root = ((ExecutionEntity) execution).getRootProcessInstanceId();
        String step = execution.getCurrentActivityId();
        String flow = flowName(execution);
        steps.later(
                cluster,
                () -> mirror(
                        cluster,
                        "step " + step,
                        () -> status.stepStarted(cluster.namespace(), cluster.name(), flow, root, step)));
    }

    private void flowEnded(DelegateExecution execution) {
        Cluster cluster = clusterOf(execution);
        if (cluster == null || ((ExecutionEntity) execution).getSuperExecution() != null) {
            return; // called flows report through their caller
        }
        String flow = flowName(execution);
        boolean cancelled = execution.isCanceled();
        steps.now(
                cluster,
                () -> mirror(
                        cluster,
                        "end of " + flow,
                        () -> status.flowEnded(cluster.namespace(), cluster.name(), flow, cancelled)));
        // The status write above reaches the watch before this transaction commits, when the flow still looks
        // active; whoever waits for the flow's end (a queued request) hears of it again once it is really over.
        var commandContext = org.camunda.bpm.engine.impl.context.Context.getCommandContext();
        if (commandContext != null) {
            commandContext
                    .getTransactionContext()
                    .addTransactionListener(
                            org.camunda.bpm.engine.impl.cfg.TransactionState.COMMITTED,
                            committed -> mirror(
                                    cluster,
                                    "end of " + flow + " to the operator",
                                    () -> ended.accept(new FlowEnded(cluster.namespace(), cluster.name()))));
        }
    }

    private void stepFailed(IncidentContext context, String message) {
        ExecutionEntity execution = context.getExecutionId() == null
                ? null
                : org.camunda.bpm.engine.impl.context.Context.getCommandContext()
                        .getExecutionManager()
                        .findExecutionById(context.getExecutionId());
        if (execution == null) {
            return;
        }
        Cluster cluster = clusterOf(execution);
        if (cluster == null) {
            return;
        }
        String step = context.getActivityId();
        String text = (message == null ? "no message" : message);
        String shortText = text.length() > 900 ? text.substring(0, 900) + "..." : text;
        String how = "Fix the cause, then retry the step: Cockpit (Retry), PUT /engine-rest/job/"
                + context.getConfiguration() + "/retries, or annotate the cluster interrupt.recover=T";
        String flow = flowName(execution);
        String root = execution.getRootProcessInstanceId();
        steps.now(
                cluster,
                () -> mirror(cluster, "incident at " + step, () -> {
                    // Annotations first: once the status says Interrupt, interrupt.recover is already there to be set.
                    String previous = resources
                            .cluster(cluster.namespace(), cluster.name())
                            .map(c ->
                                    c.getStatus() == null ? null : c.getStatus().getClusterStatus())
                            .filter(state -> !ClusterState.INTERRUPT.equals(state))
                            .orElse(null);
                    Map<String, String> annotations = new java.util.HashMap<>(Map.of(
                            Annotations.INTERRUPT_RECOVER,
                            "F",
                            Annotations.INTERRUPT_REASON,
                            "STEP_FAILED",
                            Annotations.INTERRUPT_MESSAGE,
                            step + ": " + shortText));
                    if (previous != null) {
                        annotations.put(Annotations.INTERRUPT_PREVIOUS, previous);
                    }
                    resources.annotate(cluster.namespace(), cluster.name(), annotations, Set.of());
                    MPDCluster updated =
                            status.incident(cluster.namespace(), cluster.name(), flow, root, step, shortText, how);
                    resources.event(updated, "Warning", "StepFailed", step + ": " + shortText);
                }));
    }

    private static String flowName(DelegateExecution execution) {
        return FlowKeys.ofDefinition(execution.getProcessInstance().getProcessDefinitionId());
    }

    private static void mirror(Cluster cluster, String what, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warn(
                    "could not show {} on MPDCluster {}/{}: {}",
                    what,
                    cluster.namespace(),
                    cluster.name(),
                    e.toString());
        }
    }
}
