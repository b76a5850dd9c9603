package io.polarstack.orchestrator.delegates.locks;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ManagerClient;
import java.util.ArrayList;
import java.util.List;

/** What the lock flows share: which instances a lock acts on. */
final class LockSteps {

    private LockSteps() {}

    /** The RW and the ROs, RW first (a stop ends the ROs' stream last, a start finds the RW up first). */
    static List<InstanceStatus> instances(MPDCluster cluster) {
        List<InstanceStatus> all = new ArrayList<>();
        cluster.getStatus().getDbInstanceStatus().values().stream()
                .filter(InstanceRole::rw)
                .forEach(all::add);
        all.addAll(ClusterSteps.ros(cluster));
        return all;
    }

    /**
     * Where the disk-full lock is set: PolarDB's switch is each engine's own setting, so every instance (an RO that
     * becomes the RW keeps it); PostgreSQL's is a role setting written on the RW and replicated to the ROs.
     */
    static List<InstanceStatus> diskFullTargets(MPDCluster cluster) {
        return ClusterSteps.flavour(cluster) == ManagerClient.Flavour.POLARDB
                ? instances(cluster)
                : List.of(ClusterSteps.rw(cluster));
    }
}
