package io.polarstack.orchestrator.delegates.restart;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.service.RestartPlan;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_CheckRestartCaughtUp: the RW counts once the manager's health check says it runs; an RO once it runs as a
 * replica and has replayed up to the RW's write position read at its first check after the restart. Sets
 * {@code restartCaughtUp}; the model waits and asks again, bounded by a timer. Reads only.
 */
@Component
public class CheckRestartCaughtUpDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public CheckRestartCaughtUpDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable(RestartSteps.CAUGHT_UP, behind(resources, manager, execution) == null);
    }

    /** Null when it serves again (and, an RO, caught up); otherwise where it stands, for the incident. */
    static String behind(ClusterResources resources, ManagerClient manager, DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var instance = ClusterSteps.instance(cluster, RestartSteps.insId(execution));
        var target = ClusterSteps.target(cluster, instance);
        var health = manager.health(target);
        if (health.state() != HealthState.RUNNING) {
            return "instance " + instance.getInsId() + " (pod " + instance.getPodName() + ") is " + health.state()
                    + " after its restart: " + health.detail();
        }
        if (Boolean.TRUE.equals(execution.getVariable(RestartSteps.IS_RW))) {
            return null;
        }
        var rw = ClusterSteps.rw(cluster);
        Object mark = execution.getVariable(RestartSteps.RW_POSITION);
        long rwPosition;
        if (mark instanceof Number number) {
            rwPosition = number.longValue();
        } else {
            rwPosition = manager.walPosition(ClusterSteps.target(cluster, rw)).replayed();
            execution.setVariable(RestartSteps.RW_POSITION, rwPosition);
        }
        var position = manager.walPosition(target);
        if (position.primary()) {
            return "instance " + instance.getInsId() + " (pod " + instance.getPodName()
                    + ") runs as a primary after its restart, not as a replica of the RW " + rw.getInsId();
        }
        return RestartPlan.behind(instance.getInsId(), position.replayed(), rwPosition);
    }
}
