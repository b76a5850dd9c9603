package io.polarstack.orchestrator.service;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.specs.InstanceEntries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;

/** The clusters of deploy/samples, with instances in status as a test needs them. */
final class Samples {

    private Samples() {}

    static MPDCluster cluster(String file, String uid) {
        try {
            MPDCluster cluster =
                    Serialization.unmarshal(Files.readString(Path.of("deploy/samples", file)), MPDCluster.class);
            cluster.getMetadata().setUid(uid);
            cluster.setStatus(new MPDClusterStatus());
            cluster.getStatus().setDbInstanceStatus(new HashMap<>());
            return cluster;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds instance {@code insId} of {@code type} on {@code node} (null: none yet) with its engine on {@code port}. */
    static MPDCluster with(MPDCluster cluster, String insId, String type, String node, int port) {
        var instance = InstanceEntries.pending(cluster, "s" + insId, insId, insId, type, port, Instant.EPOCH);
        instance.setNodeName(node);
        cluster.getStatus().getDbInstanceStatus().put(insId, instance);
        return cluster;
    }
}
