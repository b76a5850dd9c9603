package io.polarstack.orchestrator.specs;

/** Label keys on every object a cluster owns. */
public final class Labels {

    public static final String PREFIX = "mpd.polardb.aliyun.com/";
    public static final String CLUSTER = PREFIX + "cluster";
    public static final String INSTANCE = PREFIX + "instance";
    public static final String SLOT = PREFIX + "slot";
    /** The instance's {@link io.polarstack.orchestrator.api.InstanceRole} (or {@code fenced}): the RW and RO Services select by it. */
    public static final String ROLE = PREFIX + "role";
    /** Nodes carrying this label take no new instances (PolarDB Stack's maintenance label). */
    public static final String MAINTAIN_NODE = PREFIX + "maintainNode";

    public static final String APP = "app.kubernetes.io/name";
    public static final String APP_VALUE = "polardb";

    private Labels() {}
}
