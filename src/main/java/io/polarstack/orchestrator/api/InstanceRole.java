package io.polarstack.orchestrator.api;

/**
 * An instance's {@code insType}, also the value of its pod's role label (the RW and RO Services select by it): the one
 * writable primary, a read-only replica, or a new instance not yet in the topology.
 */
public final class InstanceRole {

    public static final String RW = "rw";
    public static final String RO = "ro";
    /** A new instance in status before it joins the topology (PolarDB Stack's temporary RO). */
    public static final String TEMPRO = "tempro";

    private InstanceRole() {}

    public static boolean rw(InstanceStatus instance) {
        return instance != null && RW.equals(instance.getInsType());
    }

    public static boolean ro(InstanceStatus instance) {
        return instance != null && RO.equals(instance.getInsType());
    }
}
