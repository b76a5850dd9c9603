package io.polarstack.orchestrator.testing;

import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.failover.WalPositions;
import io.polarstack.orchestrator.ports.ManagerClient;

/** Process tests answer WAL positions through their ManagerClient mock; the SQL path runs in the E2Es. */
public final class ManagerWalPositions {

    private ManagerWalPositions() {}

    public static WalPositions of(ManagerClient manager) {
        return (cluster, instance) -> manager.walPosition(ClusterSteps.target(cluster, instance));
    }
}
