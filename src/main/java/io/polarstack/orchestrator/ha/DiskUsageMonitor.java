package io.polarstack.orchestrator.ha;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.polarstack.orchestrator.DiskUsageProperties;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.specs.StorageQuota;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The usage monitor, a part of the HA monitor's leader loop: every {@code orchestrator.disk-usage.interval} it
 * measures each watched instance's data usage (one query each, on threads of its own, so the probes never wait for it),
 * and on the monitor thread compares the largest with the instance quota ({@link StorageQuota#known}) through
 * {@link DiskUsageDecision}: over the high threshold it starts LockInstance, under the low one it starts
 * UnlockInstance for a lock it set. A cluster busy with another flow is looked at again next round.
 */
@Component
public class DiskUsageMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(DiskUsageMonitor.class);

    /** Trigger row of the lock flows the monitor starts. */
    public static final int TRIGGER_ROW = -4;

    private final DiskUsageProperties settings;
    private final DiskUsageDecision decision;
    private final EngineProbe probe;
    private final ClusterResources resources;
    private final ClusterOperator operator;
    private final MeterRegistry meters;

    /** Measured on the usage threads, acted on by the monitor thread. */
    private final Queue<Usage> measured = new ConcurrentLinkedQueue<>();

    private final Set<String> measuring = ConcurrentHashMap.newKeySet();
    private Instant due = Instant.MIN;

    public DiskUsageMonitor(
            DiskUsageProperties settings,
            EngineProbe probe,
            ClusterResources resources,
            ClusterOperator operator,
            MeterRegistry meters) {
        this.settings = settings;
        this.decision = new DiskUsageDecision(settings.lockAbove(), settings.unlockBelow());
        this.probe = probe;
        this.resources = resources;
        this.operator = operator;
        this.meters = meters;
    }

    /** One cluster to measure: its instances' endpoints and the account that reads them. */
    record Watch(MPDCluster cluster, Map<String, EngineProbe.Endpoint> instances, EngineProbe.Credentials account) {}

    /** The largest usage of one cluster's instances; empty when none answered. */
    record Usage(MPDCluster cluster, OptionalLong maxBytes, String largest) {}

    /** On the monitor thread, each round: acts on what was measured, and starts a measurement when due. */
    void round(List<Watch> clusters, ExecutorService threads, Instant now, Duration timeout) {
        if (!settings.enabled()) {
            return;
        }
        for (Usage usage; (usage = measured.poll()) != null; ) {
            try {
                act(usage);
            } catch (RuntimeException e) {
                LOG.warn("usage monitor, MPDCluster {}: {}", usage.cluster().businessKey(), e.toString());
            }
        }
        if (now.isBefore(due)) {
            return;
        }
        due = now.plus(settings.interval());
        for (Watch watch : clusters) {
            String key = watch.cluster().businessKey();
            if (StorageQuota.known(watch.cluster()).isEmpty() || !measuring.add(key)) {
                continue; // no quota to compare with, or the last measurement still runs
            }
            try {
                threads.execute(() -> {
                    try {
                        measured.add(measure(watch, timeout));
                    } finally {
                        measuring.remove(key);
                    }
                });
            } catch (RejectedExecutionException e) {
                measuring.remove(key); // stopping
            }
        }
    }

    private Usage measure(Watch watch, Duration timeout) {
        long max = -1;
        String largest = null;
        for (var instance : watch.instances().entrySet()) {
            long started = System.nanoTime();
            try {
                long bytes = probe.dataBytes(instance.getValue(), watch.account(), timeout);
                if (bytes > max) {
                    max = bytes;
                    largest = instance.getKey();
                }
            } catch (RuntimeException e) {
                LOG.debug(
                        "usage monitor, {} instance {}: {}",
                        watch.cluster().businessKey(),
                        instance.getKey(),
                        e.getMessage());
            } finally {
                Timer.builder("polarstack.disk.usage.measure")
                        .description("usage monitor: one instance's data usage query, connecting included")
                        .register(meters)
                        .record(Duration.ofNanos(System.nanoTime() - started));
            }
        }
        return new Usage(watch.cluster(), max < 0 ? OptionalLong.empty() : OptionalLong.of(max), largest);
    }

    private void act(Usage usage) {
        MPDCluster snapshot = usage.cluster();
        OptionalLong quota = StorageQuota.known(snapshot);
        var action = decision.decide(usage.maxBytes(), quota, lock(snapshot));
        if (action == DiskUsageDecision.Action.NONE || !operator.leading()) {
            return;
        }
        // Decide again on the stored cluster: a flow or a request may have changed the lock since the snapshot.
        MPDCluster cluster = resources
                .cluster(
                        snapshot.getMetadata().getNamespace(),
                        snapshot.getMetadata().getName())
                .orElse(null);
        if (cluster == null
                || !ClusterState.RUNNING.equals(
                        cluster.getStatus() == null ? null : cluster.getStatus().getClusterStatus())
                || decision.decide(usage.maxBytes(), StorageQuota.known(cluster), lock(cluster)) != action) {
            return;
        }
        long used = usage.maxBytes().getAsLong();
        long of = StorageQuota.known(cluster).getAsLong();
        String message = "data usage " + DiskUsageDecision.percent(used, of) + "% of the instance quota (" + used
                + " of " + of + " bytes, instance " + usage.largest() + ")";
        boolean lock = action == DiskUsageDecision.Action.LOCK;
        String flow = lock ? FlowKeys.LOCK_INSTANCE : FlowKeys.UNLOCK_INSTANCE;
        var started = operator.start(
                cluster,
                new Trigger(
                        TRIGGER_ROW,
                        lock ? ClusterState.LOCK_INSTANCE : ClusterState.UNLOCK_INSTANCE,
                        flow,
                        Map.of(
                                "lockReason",
                                Conditions.USAGE_OVER_THRESHOLD,
                                "lockMessage",
                                message + (lock ? ", at or over " : ", under ")
                                        + Math.round(100 * (lock ? settings.lockAbove() : settings.unlockBelow()))
                                        + "%"),
                        false));
        if (started.isPresent()) {
            if (lock) {
                LOG.warn("MPDCluster {}: {}; started {}", cluster.businessKey(), message, flow);
            } else {
                LOG.info("MPDCluster {}: {}; started {}", cluster.businessKey(), message, flow);
            }
            resources.event(cluster, lock ? "Warning" : "Normal", lock ? "DiskUsageHigh" : "DiskUsageLow", message);
        }
    }

    private static DiskUsageDecision.Lock lock(MPDCluster cluster) {
        var condition = Conditions.get(cluster.getStatus(), Conditions.DISK_FULL);
        if (condition == null || !"True".equals(condition.getStatus())) {
            return DiskUsageDecision.Lock.NONE;
        }
        return Conditions.USAGE_OVER_THRESHOLD.equals(condition.getReason())
                ? DiskUsageDecision.Lock.BY_USAGE
                : DiskUsageDecision.Lock.BY_REQUEST;
    }
}
