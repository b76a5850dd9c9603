package io.polarstack.orchestrator.api;

/** The values of {@code status.clusterStatus}, spelled as PolarDB Stack spelled them. */
public final class ClusterState {

    public static final String INIT = "Init";
    public static final String CREATING = "Creating";
    public static final String RUNNING = "Running";
    /** A step stopped with an incident; the {@code interrupt.*} annotations say where and how to resume. */
    public static final String INTERRUPT = "Interrupt";
    public static final String REBUILD = "Rebuild";
    public static final String DELETING = "Deleting";

    private ClusterState() {
    }
}
