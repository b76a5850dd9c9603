package io.polarstack.orchestrator.delegates.removeinstance;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/** The instance a RemoveInstance works on ({@code insId}); gone from status means already removed. */
final class RemoveSteps {

    private RemoveSteps() {}

    /** The entry, or null once it was removed (a re-run then has nothing left to do). */
    static InstanceStatus instance(MPDCluster cluster, DelegateExecution execution) {
        var entries = cluster.getStatus() == null ? null : cluster.getStatus().getDbInstanceStatus();
        return entries == null ? null : entries.get((String) execution.getVariable("insId"));
    }

    /** The RW is never removed: a caller switches over first. */
    static void refuseRw(MPDCluster cluster, InstanceStatus instance) {
        if (InstanceRole.rw(instance)
                || instance.getInsId().equals(cluster.getStatus().getLeaderInstanceId())) {
            throw new IllegalStateException(
                    "instance " + instance.getInsId() + " is the RW of MPDCluster " + cluster.businessKey()
                            + "; it is never removed. Switch over first (annotation switchRw=<an RO>), then retry this step");
        }
    }
}
