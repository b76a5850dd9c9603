package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Task_CheckReplicaCaughtUp: has the new instance ({@code newInsId}) replayed to within
 * {@code orchestrator.replace.max-lag-bytes} of the RW's write position? Sets {@code caughtUp}; the model waits
 * and asks again, bounded by a timer. Reads only.
 */
@Component
public class CheckReplicaCaughtUpDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;
    private final long maxLagBytes;

    public CheckReplicaCaughtUpDelegate(
            ClusterResources resources,
            ManagerClient manager,
            @Value("${orchestrator.replace.max-lag-bytes}") long maxLagBytes) {
        this.resources = resources;
        this.manager = manager;
        this.maxLagBytes = maxLagBytes;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("caughtUp", behind(resources, manager, maxLagBytes, execution) == null);
    }

    /** Null when caught up; otherwise how far behind, for the person reading the incident. */
    static String behind(
            ClusterResources resources, ManagerClient manager, long maxLagBytes, DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var replica = ClusterSteps.instance(cluster, (String) execution.getVariable(NewInstances.NEW_INS_ID));
        var rw = ClusterSteps.rw(cluster);
        if (rw.getInsId().equals(replica.getInsId())) {
            return null; // a resumed flow whose caller already switched over to it: it is the primary
        }
        long written = manager.walPosition(ClusterSteps.target(cluster, rw)).replayed();
        var position = manager.walPosition(ClusterSteps.target(cluster, replica));
        if (position.primary()) {
            return "instance " + replica.getInsId() + " (pod " + replica.getPodName()
                    + ") runs as a primary, not as a replica of the RW " + rw.getInsId();
        }
        long lag = written - position.replayed();
        execution.setVariable("replicaLagBytes", Math.max(lag, 0));
        if (lag <= maxLagBytes) {
            return null;
        }
        return "instance " + replica.getInsId() + " (pod " + replica.getPodName() + ") replayed up to "
                + position.replayed() + " (received " + position.received() + "), " + lag + " bytes behind the RW "
                + rw.getInsId() + " (limit " + maxLagBytes + ")";
    }
}
