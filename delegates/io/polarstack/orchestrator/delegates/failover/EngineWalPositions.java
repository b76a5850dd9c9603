package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import io.polarstack.orchestrator.service.InstanceProbe;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * {@link WalPositions} from the engine probe, as the cluster's aurora account. The probe keeps its connections, so
 * an instance the HA monitor watches answers on a connection that is already open: milliseconds, not a pod exec.
 */
@Component
public class EngineWalPositions implements WalPositions {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final InstanceProbe probe;

    public EngineWalPositions(InstanceProbe probe) {
        this.probe = probe;
    }

    @Override
    public WalPosition of(MPDCluster cluster, InstanceStatus instance) {
        var result = probe.probe(cluster, instance, TIMEOUT);
        if (result.outcome() != EngineProbe.Outcome.OK || result.wal() == null) {
            throw new IllegalStateException(
                    result.outcome() + (result.detail().isEmpty() ? "" : ": " + result.detail()));
        }
        return new WalPosition(
                !result.inRecovery(),
                result.wal().timeline(),
                result.wal().replayed(),
                result.wal().received());
    }
}
