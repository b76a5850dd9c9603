package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.InstanceStatus;

/**
 * The name of an RO's replication slot on the RW, which is also the RO's {@code application_name} there (what
 * {@code synchronous_standby_names} lists): {@code replica_<physicalInsId>_<insId>}, as PolarDB Stack names it, with
 * '-' as '_' (the manager agent builds the same name from the two parts, agent.SlotNames). Versions before this one
 * named it {@code replica_<logicId>_<insId>}; flows that touch an RO's slot move it to the new name.
 */
public final class ReplicaSlots {

    /** What the manager agent's slot actions and {@code follow}/{@code rejoin} take: custinsId and slotUniqueName. */
    public record Slot(String custinsId, String slotUniqueName) {
        public String name() {
            return "replica_" + custinsId + "_" + slotUniqueName.replace('-', '_');
        }
    }

    private ReplicaSlots() {}

    /** The slot of {@code ro}: its physical instance id and its instance id. */
    public static Slot of(InstanceStatus ro) {
        if (ro.getPhysicalInsId() == null || ro.getPhysicalInsId().isBlank()) {
            throw new IllegalStateException("instance " + ro.getInsId()
                    + " has no physicalInsId in status.dbInstanceStatus, so its replication slot has no name; set it"
                    + " (the id of the instance slot it occupies), then retry");
        }
        return new Slot(ro.getPhysicalInsId(), ro.getInsId());
    }

    /** The slot an older version made for {@code ro}, named after the cluster's logicId. */
    public static Slot legacy(String logicId, InstanceStatus ro) {
        return new Slot(logicId, ro.getInsId());
    }

    public static String name(InstanceStatus ro) {
        return of(ro).name();
    }

    public static String legacyName(String logicId, InstanceStatus ro) {
        return legacy(logicId, ro).name();
    }
}
