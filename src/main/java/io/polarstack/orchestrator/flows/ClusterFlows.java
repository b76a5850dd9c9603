package io.polarstack.orchestrator.flows;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.engine.RetryProfilePlugin;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.springframework.stereotype.Component;

/** Starts, finds, cancels and resumes the one flow a cluster may run at a time (business key {@code namespace/name}). */
@Component
public class ClusterFlows {

    /** Set on a flow that a resume starts again from its first step (PolarDB Stack's recoverFromFirstStep). */
    public static final String RECOVER_FROM_FIRST_STEP = "recoverFromFirstStep";

    private static final Pattern REPETITIONS = Pattern.compile("^R(\\d+)/");

    private final RuntimeService runtime;
    private final RepositoryService repository;
    private final ManagementService management;
    private final Map<String, String> retryProfiles;

    public ClusterFlows(
            RuntimeService runtime,
            RepositoryService repository,
            ManagementService management,
            OrchestratorProperties properties) {
        this.runtime = runtime;
        this.repository = repository;
        this.management = management;
        this.retryProfiles = properties.retryProfiles();
    }

    /** The cluster's unfinished top-level flow, if any. */
    public Optional<ProcessInstance> active(String businessKey) {
        return runtime
                .createProcessInstanceQuery()
                .processInstanceBusinessKey(businessKey)
                .rootProcessInstances()
                .list()
                .stream()
                .findFirst();
    }

    public ProcessInstance start(String processKey, String namespace, String name, Map<String, Object> variables) {
        Map<String, Object> all = new HashMap<>(variables);
        all.put(FlowKeys.NAMESPACE, namespace);
        all.put(FlowKeys.NAME, name);
        return runtime.startProcessInstanceByKey(processKey, FlowKeys.businessKey(namespace, name), all);
    }

    /**
     * Starts the flow and runs {@code shown} (the status write that shows it) in the same engine transaction, before
     * it commits: the first step, which the job executor runs right after the commit, never comes before what
     * {@code shown} writes (a quick refusal was overwritten by a late "started"), and a {@code shown} that fails starts
     * nothing.
     */
    public ProcessInstance start(
            String processKey,
            String namespace,
            String name,
            Map<String, Object> variables,
            java.util.function.Consumer<ProcessInstance> shown) {
        var transaction = ((org.camunda.bpm.engine.impl.ServiceImpl) runtime).getCommandExecutor();
        return transaction.execute(context -> {
            ProcessInstance started = start(processKey, namespace, name, variables);
            shown.accept(started);
            return started;
        });
    }

    public boolean recoversFromFirstStep(ProcessInstance instance) {
        return Boolean.TRUE.equals(runtime.getVariable(instance.getId(), RECOVER_FROM_FIRST_STEP));
    }

    public void cancel(ProcessInstance instance, String reason) {
        runtime.deleteProcessInstance(instance.getId(), reason, false, true);
    }

    /** The open incidents of the flow and of the flows it called. */
    public List<Incident> incidents(ProcessInstance instance) {
        return runtime.createProcessInstanceQuery().rootProcessInstanceId(instance.getId()).list().stream()
                .flatMap(p -> runtime.createIncidentQuery().processInstanceId(p.getId()).list().stream())
                .toList();
    }

    /**
     * Gives every failed job of the flow its retries back (as many as its step's retry profile allows) so the
     * job executor runs it again. Returns how many jobs were resumed.
     */
    public int resume(ProcessInstance instance) {
        int resumed = 0;
        for (Incident incident : incidents(instance)) {
            // A calling flow shows a called flow's incident too, with no job of its own: only the job's copy counts.
            if (!"failedJob".equals(incident.getIncidentType()) || incident.getConfiguration() == null) {
                continue;
            }
            management.setJobRetries(incident.getConfiguration(), attempts(incident));
            resumed++;
        }
        return resumed;
    }

    private int attempts(Incident incident) {
        var model = repository.getBpmnModelInstance(incident.getProcessDefinitionId());
        BaseElement activity = model.getModelElementById(incident.getActivityId());
        if (activity == null || activity.getExtensionElements() == null) {
            return 1;
        }
        return activity.getExtensionElements().getElementsQuery().filterByType(CamundaProperties.class).list().stream()
                .flatMap(p -> p.getCamundaProperties().stream())
                .filter(p -> RetryProfilePlugin.PROPERTY.equals(p.getCamundaName()))
                .map(p -> retryProfiles.get(p.getCamundaValue()))
                .filter(cycle -> cycle != null)
                .map(REPETITIONS::matcher)
                .filter(Matcher::find)
                .map(m -> Integer.parseInt(m.group(1)))
                .findFirst()
                .orElse(1);
    }
}
