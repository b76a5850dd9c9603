package io.polarstack.orchestrator.service;

import java.util.ArrayList;
import java.util.List;

/**
 * PolarDB Stack's id layout on create: {@code (followerNum+1)*2+1} consecutive numbers
 * {@code [logicId, rwSlot, rwIns, ro1Slot, ro1Ins, ...]}. A slot id is stable; an instance id is new on every
 * replacement.
 */
public record InstanceIds(String logicId, Slot rw, List<Slot> ros) {

    public record Slot(String physicalInsId, String insId) {}

    public static int countFor(int followerNum) {
        return (followerNum + 1) * 2 + 1;
    }

    public static InstanceIds layout(long first, int followerNum) {
        List<Slot> ros = new ArrayList<>();
        for (int i = 0; i < followerNum; i++) {
            ros.add(new Slot(Long.toString(first + 3 + 2L * i), Long.toString(first + 4 + 2L * i)));
        }
        return new InstanceIds(Long.toString(first), new Slot(Long.toString(first + 1), Long.toString(first + 2)), ros);
    }
}
