package io.polarstack.orchestrator.delegates.common;

import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * Run ids of the manager's background runs ("start, then poll": a step must end well inside its job lock, so long
 * work runs in the manager container and a timer loop polls it). The id is the same on every execution of the step
 * in this process instance (a crashed step's rerun, the next poll: the same run), and new after each incident at the
 * step, so an operator's retry after fixing the cause starts a new run instead of reading the failed one again.
 */
public final class BackgroundRuns {

    private BackgroundRuns() {}

    public static String runId(DelegateExecution execution, String what) {
        long incidents = execution
                .getProcessEngineServices()
                .getHistoryService()
                .createHistoricIncidentQuery()
                .processInstanceId(execution.getProcessInstanceId())
                .activityId(execution.getCurrentActivityId())
                .count();
        String id = execution.getProcessInstanceId() + "-" + execution.getCurrentActivityId() + "-" + what + "-"
                + incidents;
        id = id.replaceAll("[^A-Za-z0-9._:-]", "_");
        return id.length() <= 128 ? id : id.substring(id.length() - 128);
    }
}
