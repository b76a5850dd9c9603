package io.polarstack.orchestrator.specs;

import io.polarstack.orchestrator.api.InstanceRole;
import java.util.Set;

/**
 * One instance to create.
 *
 * @param insId            the pod's id (new on every replacement)
 * @param physicalInsId    the stable slot id
 * @param role             {@code rw}, {@code ro}, or {@code tempro} (a new RO not yet in the RO Service)
 * @param port             the engine port
 * @param targetNode       pin to this node (migration), or null
 * @param unavailableNodes nodes that must not take it (storage or network down)
 * @param engineImage      engine container image
 * @param managerImage     manager container image
 * @param pfsdImage        pfsd image (share mode), or null
 */
public record InstancePlan(
        String insId,
        String physicalInsId,
        String role,
        int port,
        String targetNode,
        Set<String> unavailableNodes,
        String engineImage,
        String managerImage,
        String pfsdImage) {

    public InstancePlan {
        if (!Set.of(InstanceRole.RW, InstanceRole.RO, InstanceRole.TEMPRO).contains(role)) {
            throw new IllegalArgumentException("instance " + insId + ": role must be rw, ro or tempro, not " + role);
        }
        unavailableNodes = Set.copyOf(unavailableNodes);
    }
}
