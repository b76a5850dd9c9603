package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.agent.SlotNames;
import io.polarstack.orchestrator.api.InstanceStatus;
import org.junit.jupiter.api.Test;

class ReplicaSlotsTest {

    static InstanceStatus ro(String physicalInsId, String insId) {
        var ro = new InstanceStatus();
        ro.setPhysicalInsId(physicalInsId);
        ro.setInsId(insId);
        return ro;
    }

    @Test
    void anRosSlotIsNamedAfterItsPhysicalAndInstanceIds() {
        var ro = ro("1003", "1004");
        assertThat(ReplicaSlots.name(ro)).isEqualTo("replica_1003_1004");
        assertThat(ReplicaSlots.of(ro)).isEqualTo(new ReplicaSlots.Slot("1003", "1004"));
        assertThat(ReplicaSlots.legacyName("1000", ro)).isEqualTo("replica_1000_1004");
        assertThat(ReplicaSlots.legacy("1000", ro)).isEqualTo(new ReplicaSlots.Slot("1000", "1004"));
    }

    @Test
    void theNameIsTheOneTheManagerAgentBuildsFromTheParts() {
        var ro = ro("1003", "ro-7");
        var slot = ReplicaSlots.of(ro);
        assertThat(ReplicaSlots.name(ro))
                .isEqualTo("replica_1003_ro_7")
                .isEqualTo(SlotNames.name(SlotNames.Type.REPLICA, slot.custinsId(), slot.slotUniqueName()));
    }

    @Test
    void aReplacementInTheSameInstanceSlotGetsASlotOfItsOwn() {
        assertThat(ReplicaSlots.name(ro("1003", "1007"))).isNotEqualTo(ReplicaSlots.name(ro("1003", "1004")));
    }

    @Test
    void anInstanceWithoutAPhysicalIdIsRefusedByName() {
        assertThatThrownBy(() -> ReplicaSlots.name(ro(null, "1004")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("instance 1004 has no physicalInsId");
    }
}
