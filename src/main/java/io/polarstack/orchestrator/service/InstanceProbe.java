package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.Account;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.EngineProbe.Credentials;
import io.polarstack.orchestrator.ports.EngineProbe.Endpoint;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import io.polarstack.orchestrator.ports.EngineProbe.Result;
import io.polarstack.orchestrator.specs.AccountSecrets;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * One probe of one instance of a cluster, as the cluster's aurora account read from its Secret, at the instance's
 * working host and port, on a connection closed before it returns (a flow's step runs on any replica, which must not
 * keep connections for engines it probed once). The password goes from the Secret to the probe only.
 */
@Component
public class InstanceProbe {

    private final ClusterResources resources;
    private final EngineProbe probe;

    public InstanceProbe(ClusterResources resources, EngineProbe probe) {
        this.resources = resources;
        this.probe = probe;
    }

    /**
     * @return the probe's result; ERROR when the status gives the instance no host and port
     * @throws IllegalStateException naming the Secret when the aurora account cannot be read
     */
    public Result probe(MPDCluster cluster, InstanceStatus instance, Duration timeout) {
        var net = instance.getNetInfo();
        if (net == null || net.getWorkingHostIP() == null || net.getWorkingPort() == null) {
            return new Result(
                    Outcome.ERROR,
                    Duration.ZERO,
                    false,
                    "instance " + instance.getInsId() + " of MPDCluster " + cluster.businessKey()
                            + " has no working host and port in its status");
        }
        return probe.probeOnce(new Endpoint(net.getWorkingHostIP(), net.getWorkingPort()), aurora(cluster), timeout);
    }

    /** Promotes the instance by SQL ({@link EngineProbe#promote}). */
    public EngineProbe.Promotion promote(
            MPDCluster cluster, InstanceStatus instance, String synchronousStandbyNames, Duration timeout) {
        var net = instance.getNetInfo();
        if (net == null || net.getWorkingHostIP() == null || net.getWorkingPort() == null) {
            throw new IllegalStateException("instance " + instance.getInsId() + " of MPDCluster "
                    + cluster.businessKey() + " has no working host and port in its status");
        }
        return probe.promote(
                new Endpoint(net.getWorkingHostIP(), net.getWorkingPort()),
                aurora(cluster),
                synchronousStandbyNames,
                timeout);
    }

    /** The instance's {@code pg_settings} for {@code names} ({@link EngineProbe#settingsOnce}). */
    public EngineProbe.Settings settings(
            MPDCluster cluster, InstanceStatus instance, java.util.Collection<String> names, Duration timeout) {
        var net = instance.getNetInfo();
        if (net == null || net.getWorkingHostIP() == null || net.getWorkingPort() == null) {
            throw new IllegalStateException("instance " + instance.getInsId() + " of MPDCluster "
                    + cluster.businessKey() + " has no working host and port in its status");
        }
        return probe.settingsOnce(
                new Endpoint(net.getWorkingHostIP(), net.getWorkingPort()), aurora(cluster), names, timeout);
    }

    private Credentials aurora(MPDCluster cluster) {
        String logicId =
                cluster.getStatus() == null ? null : cluster.getStatus().getLogicId();
        if (logicId == null) {
            throw new IllegalStateException("MPDCluster " + cluster.businessKey()
                    + " has no status.logicId, so no aurora Secret to probe with; wait until CreateCluster set it");
        }
        String secret = AccountSecrets.name(cluster, logicId, AccountSecrets.Account.AURORA);
        var aurora = resources
                .secretData(cluster.getMetadata().getNamespace(), secret)
                .flatMap(Account::of)
                .orElseThrow(() -> new IllegalStateException("the aurora Secret " + secret + " of MPDCluster "
                        + cluster.businessKey() + " is gone or lacks Account and Password; restore it, then retry"));
        return new Credentials(aurora.user(), aurora.password());
    }
}
