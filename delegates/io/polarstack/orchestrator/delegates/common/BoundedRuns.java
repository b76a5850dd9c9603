package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ManagerClient;

/**
 * The report after a background run's poll loop ran past its bound (longer than the agent's own limit for the run, so
 * the run should have ended by then). An engine that answers again goes back into the loop, whose poll then sees how
 * the run ended (done, or its failure as the loop step's incident); any other state is an incident a person acts on.
 */
public final class BoundedRuns {

    private BoundedRuns() {}

    public static void requireRunning(
            ManagerClient manager, MPDCluster cluster, InstanceStatus instance, String what, String bound) {
        String state;
        try {
            var health = manager.health(ClusterSteps.target(cluster, instance));
            if (health.state() == ManagerClient.HealthState.RUNNING) {
                return;
            }
            state = health.state() + (health.detail() == null ? "" : ": " + health.detail());
        } catch (ManagerClient.ManagerException e) {
            state = e.code() + ": " + e.getMessage();
        }
        throw new IllegalStateException(what + " of instance " + instance.getInsId() + " (pod " + instance.getPodName()
                + ") has not ended within " + bound + ", longer than the manager agent allows it; the engine is "
                + state + ". Look at the manager container's log, bring the engine up, then retry this step: the flow"
                + " goes back to its poll");
    }
}
