package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.DataDurability;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What {@code synchronous_standby_names} says on each instance, and what the cluster's SynchronousReplication
 * condition says about it. Pure: the cluster's status and the RW's streaming standbys in, values out.
 *
 * <p>With {@code required} every instance, the RW included, gets the same quorum {@code ANY 1 (...)} over the
 * application names of all members (a standby's application name is its slot name; an RO not yet moved to
 * PolarDB Stack's slot name answers to its old one, so both are listed). The RW's own name never matches a standby of
 * its own, and a promoted RO needs nothing changed: it waits for one of the others from its first commit. With
 * {@code preferred} only the RW waits, and only for the ROs that stream to it now; {@code async} waits for none.
 */
public final class SyncStandbys {

    /** The condition: is a commit acknowledged only once an RO flushed it? */
    public record State(boolean synchronous, String reason, String message) {}

    private SyncStandbys() {}

    /**
     * @param rw        the value for the RW (true) or an RO (false)
     * @param streaming application names streaming from the RW now (read on the RW; ignored for an RO)
     */
    public static String value(MPDCluster cluster, boolean rw, Collection<String> streaming) {
        var names = names(cluster);
        if (names.isEmpty()) {
            return "";
        }
        return switch (DataDurability.of(cluster)) {
            case REQUIRED -> quorum(names);
            case PREFERRED ->
                rw ? quorum(names.stream().filter(streaming::contains).toList()) : "";
            case ASYNC -> "";
        };
    }

    /** The condition as the RW's streaming standbys show it. */
    public static State state(MPDCluster cluster, Collection<String> streaming) {
        var durability = DataDurability.of(cluster);
        var names = names(cluster);
        var connected = names.stream().filter(streaming::contains).toList();
        if (durability == DataDurability.ASYNC) {
            return new State(
                    false,
                    "Asynchronous",
                    "dataDurability async: commits do not wait for an RO, so an unplanned failover may lose the last"
                            + " ones");
        }
        if (names.isEmpty()) {
            return new State(false, "NoReplica", "the cluster has no RO: commits are not replicated");
        }
        if (!connected.isEmpty()) {
            return new State(
                    true,
                    "Synchronous",
                    "a commit returns once one of " + connected + " flushed it (dataDurability " + durability.value()
                            + ")");
        }
        return durability == DataDurability.REQUIRED
                ? new State(
                        false,
                        "WritesWait",
                        "no RO streams from the RW: commits wait until one does (dataDurability required)")
                : new State(
                        false,
                        "NoReplicaConnected",
                        "no RO streams from the RW: commits go on unreplicated, and an unplanned failover now may"
                                + " lose them (dataDurability preferred)");
    }

    /** The application names of every member, the RW included, by new and legacy slot name; none without an RO. */
    static List<String> names(MPDCluster cluster) {
        var status = cluster.getStatus();
        Map<String, InstanceStatus> instances =
                status == null || status.getDbInstanceStatus() == null ? Map.of() : status.getDbInstanceStatus();
        if (instances.values().stream().noneMatch(InstanceRole::ro)) {
            return List.of();
        }
        var names = new TreeSet<String>();
        for (InstanceStatus instance : instances.values()) {
            if (instance.getInsId() == null || instance.getPhysicalInsId() == null) {
                continue;
            }
            names.add(ReplicaSlots.name(instance));
            if (status.getLogicId() != null) {
                names.add(ReplicaSlots.legacyName(status.getLogicId(), instance));
            }
        }
        return List.copyOf(names);
    }

    private static String quorum(List<String> names) {
        return names.isEmpty()
                ? ""
                : names.stream().map(n -> '"' + n + '"').collect(Collectors.joining(", ", "ANY 1 (", ")"));
    }
}
