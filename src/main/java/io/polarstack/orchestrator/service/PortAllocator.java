package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.InstanceNetwork;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Engine ports. Per node (the default, PolarDB Stack's rule): every instance of a cluster uses its
 * {@code engineStartPort}, and the scheduler keeps two users of one port off the same node. Shared port space:
 * every instance of every cluster gets a port of its own, the lowest free ones from {@code engineStartPort} up.
 */
public final class PortAllocator {

    private PortAllocator() {}

    /**
     * The engine ports of {@code count} new instances of {@code cluster}: its own port for each, or in a shared port
     * space the lowest ones no instance of any cluster holds, this one's included (an old instance still runs beside
     * its replacement). {@code clusters} is asked only in a shared port space.
     */
    public static List<Integer> forNewInstances(
            MPDCluster cluster, int count, boolean sharedPortSpace, Supplier<List<MPDCluster>> clusters) {
        int start = cluster.getSpec().getNetCfg().getEngineStartPort();
        if (!sharedPortSpace) {
            return java.util.Collections.nCopies(count, start);
        }
        Set<Integer> used = new HashSet<>(usedByOthers(clusters.get(), cluster));
        InstancePlacement.instances(cluster).stream()
                .map(InstanceStatus::getNetInfo)
                .filter(Objects::nonNull)
                .map(InstanceNetwork::getWorkingPort)
                .filter(Objects::nonNull)
                .forEach(used::add);
        return allocate(start, count, used);
    }

    public static List<Integer> allocate(int start, int count, Set<Integer> used) {
        List<Integer> ports = new ArrayList<>();
        for (int port = start; port <= 65535 && ports.size() < count; port++) {
            if (!used.contains(port)) {
                ports.add(port);
            }
        }
        if (ports.size() < count) {
            throw new IllegalStateException("no " + count + " free ports from " + start + " up to 65535 (" + used.size()
                    + " in use); lower spec.netCfg.engineStartPort");
        }
        return ports;
    }

    /** The ports the instances of every cluster but {@code self} hold. */
    public static Set<Integer> usedByOthers(List<MPDCluster> clusters, MPDCluster self) {
        return clusters.stream()
                .filter(c -> !Objects.equals(
                        c.getMetadata().getUid(), self.getMetadata().getUid()))
                .filter(c -> c.getStatus() != null && c.getStatus().getDbInstanceStatus() != null)
                .flatMap(c -> c.getStatus().getDbInstanceStatus().values().stream())
                .filter(i -> i.getNetInfo() != null && i.getNetInfo().getWorkingPort() != null)
                .map(i -> i.getNetInfo().getWorkingPort())
                .collect(Collectors.toSet());
    }
}
