package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/** The two instances a Failover is about: the RW it leaves ({@code oldRwInsId}) and the RO it promotes ({@code candidateInsId}). */
final class FailoverSteps {

    static final String OLD_RW = "oldRwInsId";
    static final String CANDIDATE = "candidateInsId";
    /** Epoch millis at which the old RW stopped taking writes (stopped, fenced or found failed): the outage starts there. */
    static final String WRITES_STOPPED_AT = "writesStoppedAt";
    /** Set once StopOldRw stopped the old RW under the stop lock: in local mode that already fences it. */
    static final String OLD_RW_STOPPED = "oldRwStopped";

    private FailoverSteps() {}

    static boolean planned(DelegateExecution execution) {
        return Boolean.TRUE.equals(execution.getVariable("planned"));
    }

    static InstanceStatus oldRw(MPDCluster cluster, DelegateExecution execution) {
        return ClusterSteps.instance(cluster, (String) execution.getVariable(OLD_RW));
    }

    static InstanceStatus candidate(MPDCluster cluster, DelegateExecution execution) {
        return ClusterSteps.instance(cluster, (String) execution.getVariable(CANDIDATE));
    }

    static String describe(InstanceStatus instance) {
        return instance.getInsType() + " " + instance.getInsId() + " (pod " + instance.getPodName() + " on "
                + (instance.getNodeName() == null ? "no node" : instance.getNodeName()) + ")";
    }
}
