package io.polarstack.orchestrator.delegates.restart;

import org.camunda.bpm.engine.delegate.DelegateExecution;

/** The variables of RestartInstance and RestartCluster. */
final class RestartSteps {

    /** in: the instance RestartInstance restarts */
    static final String INS_ID = "insId";
    /** set by Task_PauseInstanceHa: whether it is the RW */
    static final String IS_RW = "restartIsRw";

    static final String ENGINE_RESTARTED = "engineRestarted";
    /** the RW's write position read once after an RO's restart: the mark it must replay up to */
    static final String RW_POSITION = "restartRwPosition";

    static final String CAUGHT_UP = "restartCaughtUp";
    /** RestartCluster: in (optional, REST) or decided by the plan */
    static final String RW_SWITCHOVER = "rwSwitchover";

    private RestartSteps() {}

    static String insId(DelegateExecution execution) {
        return (String) execution.getVariable(INS_ID);
    }

    /** Started by a request of its own (annotation, REST), not called by another flow. */
    static boolean topLevel(DelegateExecution execution) {
        return execution.getProcessInstance().getSuperExecution() == null;
    }
}
