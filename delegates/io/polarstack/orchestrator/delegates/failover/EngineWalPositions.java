package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.Account;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import io.polarstack.orchestrator.specs.AccountSecrets;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * {@link WalPositions} from the engine probe, as the cluster's aurora account. The probe keeps its connections, so
 * an instance the HA monitor watches answers on a connection that is already open: milliseconds, not a pod exec.
 */
@Component
public class EngineWalPositions implements WalPositions {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final ClusterResources resources;
    private final EngineProbe probe;

    public EngineWalPositions(ClusterResources resources, EngineProbe probe) {
        this.resources = resources;
        this.probe = probe;
    }

    @Override
    public WalPosition of(MPDCluster cluster, InstanceStatus instance) {
        var result = probe.probe(endpoint(instance), credentials(resources, cluster), TIMEOUT);
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

    /** The cluster's aurora account, as the engine probe logs in. */
    static EngineProbe.Credentials credentials(ClusterResources resources, MPDCluster cluster) {
        String secret = AccountSecrets.name(cluster, cluster.getStatus().getLogicId(), AccountSecrets.Account.AURORA);
        var aurora = resources
                .secretData(cluster.getMetadata().getNamespace(), secret)
                .flatMap(Account::of)
                .orElseThrow(() -> new IllegalStateException("the aurora Secret " + secret + " of MPDCluster "
                        + cluster.businessKey() + " is gone; restore it, then retry"));
        return new EngineProbe.Credentials(aurora.user(), aurora.password());
    }

    static EngineProbe.Endpoint endpoint(InstanceStatus instance) {
        var net = instance.getNetInfo();
        return new EngineProbe.Endpoint(net.getWorkingHostIP(), net.getWorkingPort());
    }
}
