package io.polarstack.orchestrator.specs;

import io.polarstack.orchestrator.api.InstanceNetwork;
import io.polarstack.orchestrator.api.InstanceState;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import java.time.Instant;

/** Entries of {@code status.dbInstanceStatus}. */
public final class InstanceEntries {

    private InstanceEntries() {}

    /**
     * An instance written to status before anything is created for it: PENDING since {@code now}, not installed,
     * its pod named {@code <cluster>-<physicalInsId>-<insId>}; {@code insName} is its slot's first instance id.
     */
    public static InstanceStatus pending(
            MPDCluster cluster,
            String physicalInsId,
            String insId,
            String insName,
            String type,
            int port,
            Instant now) {
        var instance = new InstanceStatus();
        instance.setPhysicalInsId(physicalInsId);
        instance.setInsId(insId);
        instance.setInsName(insName);
        instance.setInsType(type);
        instance.setPodName(cluster.getMetadata().getName() + "-" + physicalInsId + "-" + insId);
        instance.setPodNameSpace(cluster.getMetadata().getNamespace());
        instance.setInstalled(false);
        var net = new InstanceNetwork();
        net.setWorkingPort(port);
        instance.setNetInfo(net);
        var state = new InstanceState();
        state.setState("PENDING");
        state.setStartAt(now.toString());
        instance.setCurrentState(state);
        return instance;
    }
}
