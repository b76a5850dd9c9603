package io.polarstack.orchestrator.delegates.rebuildcluster;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.NewInstances;
import java.util.List;

/** Which instances a rebuild starts again, and which it leaves out. */
final class RebuildSteps {

    static final String FENCED = "FENCED";

    private RebuildSteps() {}

    /**
     * Not started again: a {@code tempro} (a new instance not yet in the topology; the flow that made it goes on with
     * it) and a fenced former RW (its data may have diverged, and without a rejoin it would start as a second primary).
     */
    static boolean leftOut(InstanceStatus instance) {
        return InstanceRole.TEMPRO.equals(instance.getInsType())
                || instance.getCurrentState() != null
                        && FENCED.equals(instance.getCurrentState().getState());
    }

    static List<String> leftOut(MPDCluster cluster) {
        return NewInstances.entries(cluster.getStatus()).values().stream()
                .filter(RebuildSteps::leftOut)
                .map(i -> i.getInsType() + " " + i.getInsId())
                .sorted()
                .toList();
    }

    /** Every pod of the cluster's instances, ROs before the RW. */
    static List<InstanceStatus> instances(MPDCluster cluster) {
        return NewInstances.entries(cluster.getStatus()).values().stream()
                .sorted(java.util.Comparator.comparing(InstanceRole::rw).thenComparing(InstanceStatus::getInsId))
                .toList();
    }
}
