package io.polarstack.orchestrator.specs;

import io.polarstack.orchestrator.api.InstanceStatus;

/** TEMPORARY until the slot-name change lands. */
public final class ReplicaSlots {
    private ReplicaSlots() {}

    public static String name(InstanceStatus ro) {
        return ("replica_" + ro.getPhysicalInsId() + "_" + ro.getInsId()).replace('-', '_');
    }

    public static String legacyName(String logicId, InstanceStatus ro) {
        return ("replica_" + logicId + "_" + ro.getInsId()).replace('-', '_');
    }
}
