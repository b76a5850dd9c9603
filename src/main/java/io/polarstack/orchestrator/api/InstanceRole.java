package io.polarstack.orchestrator.api;

/** An instance's {@code insType}: the one writable primary or a read-only replica. */
public final class InstanceRole {

    public static final String RW = "rw";
    public static final String RO = "ro";

    private InstanceRole() {
    }

    public static boolean rw(InstanceStatus instance) {
        return instance != null && RW.equals(instance.getInsType());
    }

    public static boolean ro(InstanceStatus instance) {
        return instance != null && RO.equals(instance.getInsType());
    }
}
