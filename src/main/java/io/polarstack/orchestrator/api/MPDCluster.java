package io.polarstack.orchestrator.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** A PolarDB (or PostgreSQL) cluster; the schema is deploy/040-Crd-mpdcluster.yaml. */
@Group(MPDCluster.GROUP)
@Version("v1")
@Kind("MPDCluster")
@Plural("mpdclusters")
public class MPDCluster extends CustomResource<MPDClusterSpec, MPDClusterStatus> implements Namespaced {

    public static final String GROUP = "mpd.polardb.aliyun.com";
    public static final String FINALIZER = "mpd.finalizers.polardb.aliyun.com";

    /** {@code namespace/name}: the business key of every flow on this cluster. */
    public String businessKey() {
        return getMetadata().getNamespace() + "/" + getMetadata().getName();
    }
}
