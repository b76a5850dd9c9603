package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;

/**
 * Where an instance's WAL stands, for choosing the candidate and waiting until it caught up. In a failover every
 * second counts, so the answer comes over the engine's SQL port ({@link EngineWalPositions}), not a pod exec.
 * Throws with the reason when the engine does not answer.
 */
@FunctionalInterface
public interface WalPositions {

    WalPosition of(MPDCluster cluster, InstanceStatus instance);
}
