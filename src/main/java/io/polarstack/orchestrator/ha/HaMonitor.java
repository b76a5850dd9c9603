package io.polarstack.orchestrator.ha;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.Account;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.ha.FailoverDecision.Role;
import io.polarstack.orchestrator.ha.FailoverDecision.Verdict;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.EngineProbe.Credentials;
import io.polarstack.orchestrator.ports.EngineProbe.Endpoint;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import io.polarstack.orchestrator.ports.EngineProbe.Result;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.SyncStandbys;
import io.polarstack.orchestrator.specs.AccountSecrets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The HA monitor: while this replica leads, probes every RW and RO of every cluster whose {@code AutoFailover}
 * condition is True, every probe-interval, and acts on what {@link FailoverDecision} says: a failed RW starts an
 * unplanned Failover (through the operator, so its bookkeeping is a trigger-table flow's), a failed RO is marked
 * failed so the trigger table's RebuildRo row replaces it. The annotation {@code autoFailover=false} turns a
 * cluster's automatic failover off. All state lives on the one monitor thread.
 */
@Component
public class HaMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(HaMonitor.class);

    /** Trigger row of a Failover the monitor starts (the trigger table's rows are 0 and up). */
    public static final int TRIGGER_ROW = -2;
    /** Prefix of the state reason of an RO this monitor marked failed: only such a mark is taken back. */
    static final String MARK = "HaMonitor: ";

    private static final int PROBE_THREADS = 16;
    /**
     * The usage queries' own threads: on the probe threads, a round of them (a login per instance at first) kept every
     * probe thread busy for minutes at 3000 instances, and probes that started late timed out their logins.
     */
    private static final int USAGE_THREADS = 2;

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ClusterFlows flows;
    private final ClusterOperator operator;
    private final EngineProbe probe;
    private final OrchestratorProperties.Ha settings;
    private final OrchestratorProperties.Operator scope;
    private final MeterRegistry meters;
    private final InstantSource clock;
    private final FailoverDecision decision;

    // Touched by the monitor thread only.
    private Map<String, Watched> watched = Map.of();
    private final Map<String, Credentials> credentials = new HashMap<>();
    private final Set<String> warned = new HashSet<>();
    /** cluster → the process instance the pending failover waits for */
    private final Map<String, String> pending = new HashMap<>();
    /** RW target → its WAL write position at its last answer, for the unplanned candidate's lag limit */
    private final Map<String, Long> lastRwPosition = new HashMap<>();

    private Instant refreshed;
    /** Where the next round starts in the list of targets (after the last round's first unprobed one). */
    private int nextStart;
    /** When the last round's probes began: a round that begins an interval or more late has missed probes. */
    private long lastRoundNanos;

    private ScheduledExecutorService scheduler;
    private ExecutorService probes;
    private ExecutorService usageThreads;
    private DiskUsageMonitor usage;

    public HaMonitor(
            ClusterResources resources,
            ClusterStatusWriter status,
            ClusterFlows flows,
            ClusterOperator operator,
            EngineProbe probe,
            OrchestratorProperties properties,
            MeterRegistry meters) {
        this.resources = resources;
        this.status = status;
        this.flows = flows;
        this.operator = operator;
        this.probe = probe;
        this.settings = properties.ha();
        this.scope = properties.operator();
        this.meters = meters;
        this.clock = InstantSource.system();
        this.decision = new FailoverDecision(settings.failoverAfter(), settings.startupGrace(), clock);
        operator.onLeadershipLost(this::leadershipLost);
    }

    /** The usage monitor that rides on this loop; absent where the monitor is built by hand (tests). */
    @org.springframework.beans.factory.annotation.Autowired(required = false)
    void usageMonitor(DiskUsageMonitor usage) {
        this.usage = usage;
    }

    /**
     * On the election's thread, so it only hands work on: the probe connections are closed at once on a probe thread
     * (the monitor thread may be waiting for a hung API server), and the monitor thread forgets its targets as its next
     * task. A round under way acts on nothing more and opens no connection (see {@link #tick}).
     */
    private void leadershipLost() {
        ScheduledExecutorService monitor;
        ExecutorService closer;
        synchronized (this) {
            monitor = scheduler;
            closer = probes;
        }
        if (monitor != null) {
            try {
                closer.execute(probe::close);
                monitor.execute(this::idle);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping: stop() forgets everything itself
            }
        }
    }

    /**
     * A cluster being watched: the snapshot of the last refresh (or of our last write) and its instances. Every cluster
     * that CreateCluster brought to the AutoFailover condition has its synchronous standbys kept true; only one whose
     * AutoFailover is True is failed over.
     */
    private static final class Watched {
        final String key;
        MPDCluster cluster;
        final List<Target> targets;
        final boolean autoFailover;

        Watched(String key, MPDCluster cluster, List<Target> targets, boolean autoFailover) {
            this.key = key;
            this.cluster = cluster;
            this.targets = targets;
            this.autoFailover = autoFailover;
        }
    }

    record Target(String cluster, String insId, Role role, Endpoint endpoint, Credentials credentials) {
        String key() {
            return cluster + "/" + insId;
        }
    }

    @EventListener(ApplicationReadyEvent.class)
    public synchronized void start() {
        if (!settings.enabled()) {
            LOG.info("HA monitor disabled (orchestrator.ha.enabled=false): no automatic failover");
            return;
        }
        if (scheduler != null) {
            return;
        }
        probes = Executors.newFixedThreadPool(PROBE_THREADS, daemon("ha-probe"));
        usageThreads = Executors.newFixedThreadPool(USAGE_THREADS, daemon("ha-usage"));
        scheduler = Executors.newSingleThreadScheduledExecutor(daemon("ha-monitor"));
        long every = settings.probeInterval().toMillis();
        scheduler.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
        LOG.info(
                "HA monitor: probe every {} (timeout {}), fail over a RW after {} of timeouts or errors, after {} when"
                        + " starting up, at once when refused",
                settings.probeInterval(),
                settings.probeTimeout(),
                settings.failoverAfter(),
                settings.startupGrace());
    }

    @jakarta.annotation.PreDestroy
    public synchronized void stop() throws InterruptedException {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        probes.shutdownNow();
        usageThreads.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        forgetAll();
        scheduler = null;
    }

    /** One round: refresh the cluster list when due, probe everything at once, then decide cluster by cluster. */
    void tick() {
        try {
            if (!operator.leading()) {
                idle();
                return;
            }
            Instant now = clock.instant();
            if (refreshed == null || !now.isBefore(refreshed.plus(settings.refreshInterval()))) {
                refreshed = refresh() ? now : null;
            }
            if (!operator.leading()) {
                idle(); // lost the Lease while reading the clusters
                return;
            }
            List<Target> targets =
                    watched.values().stream().flatMap(w -> w.targets.stream()).toList();
            long roundStart = System.nanoTime();
            countMissed(roundStart, targets.size());
            List<Result> results = probeAll(targets);
            Timer.builder("polarstack.ha.round")
                    .description("HA monitor rounds: probing every watched instance once")
                    .register(meters)
                    .record(System.nanoTime() - roundStart, TimeUnit.NANOSECONDS);
            Map<String, Watched> clusters = watched;
            for (int i = 0; i < targets.size(); i++) {
                if (!operator.leading()) {
                    idle(); // lost the Lease during this round: another replica may lead by now
                    return;
                }
                Target target = targets.get(i);
                if (results.get(i) == null) {
                    continue; // not probed this round
                }
                try {
                    observe(clusters.get(target.cluster()), target, results.get(i));
                } catch (RuntimeException e) {
                    LOG.warn(
                            "HA monitor, MPDCluster {} instance {}: {}",
                            target.cluster(),
                            target.insId(),
                            e.toString(),
                            e);
                }
            }
            if (usage != null) {
                usage.round(
                        usageWatches(clusters),
                        usageThreads,
                        now,
                        settings.probeTimeout().multipliedBy(5));
            }
        } catch (RuntimeException e) {
            LOG.warn("HA monitor: {}", e.toString(), e); // never let the schedule die
        }
    }

    /**
     * Every instance is probed once a round, so a round that begins k whole intervals after the previous one left each
     * instance k - 1 probes short.
     */
    private void countMissed(long roundStart, int instances) {
        long interval = settings.probeInterval().toNanos();
        long missed = lastRoundNanos == 0 ? 0 : (roundStart - lastRoundNanos) / interval - 1;
        lastRoundNanos = roundStart;
        if (missed > 0 && instances > 0) {
            meters.counter("polarstack.ha.probes.missed").increment((double) missed * instances);
        }
    }

    private static List<DiskUsageMonitor.Watch> usageWatches(Map<String, Watched> clusters) {
        return clusters.values().stream()
                .filter(w -> !w.targets.isEmpty())
                .map(w -> new DiskUsageMonitor.Watch(
                        w.cluster,
                        w.targets.stream()
                                .collect(java.util.stream.Collectors.toMap(
                                        Target::insId, Target::endpoint, (a, b) -> a, LinkedHashMap::new)),
                        w.targets.get(0).credentials()))
                .toList();
    }

    /**
     * Every target's result, in order; null for a probe still queued behind the others when the round's bound passed,
     * or begun too late to get its own timeout: that says nothing about the engine (a missed probe, not a timeout).
     */
    private List<Result> probeAll(List<Target> targets) {
        int n = targets.size();
        // A round that cannot probe everything in time leaves the end of its queue unprobed; the next round starts
        // there, so an overloaded monitor probes every instance in turn rather than never the same ones.
        int start = n == 0 ? 0 : nextStart % n;
        List<Probe> calls = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            calls.add(new Probe(targets.get((start + k) % n)));
        }
        // A probe on a stale kept connection may try twice; anything slower than that counts as a timeout.
        long bound = settings.probeTimeout().toMillis() * 2 + 1000;
        Result[] results = new Result[n];
        boolean[] probed = new boolean[n];
        long unprobed = 0;
        try {
            List<Future<Result>> futures = probes.invokeAll(calls, bound, TimeUnit.MILLISECONDS);
            for (int k = 0; k < n; k++) {
                Result result = outcomeOf(futures.get(k), calls.get(k).startedAt, bound);
                results[(start + k) % n] = result;
                probed[k] = result != null;
                unprobed += result == null ? 1 : 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("HA monitor interrupted", e);
        }
        nextStart = nextStart(start, probed);
        if (unprobed > 0) {
            meters.counter("polarstack.ha.probes.missed").increment(unprobed);
        }
        return java.util.Arrays.asList(results);
    }

    /**
     * Where the next round starts: at the first target this round left unprobed ({@code probed} is in submission
     * order, beginning at {@code start}), else where this one started.
     */
    static int nextStart(int start, boolean[] probed) {
        for (int k = 0; k < probed.length; k++) {
            if (!probed[k]) {
                return (start + k) % probed.length;
            }
        }
        return start;
    }

    private final class Probe implements Callable<Result> {
        private final Target target;
        /** System.nanoTime() when it began; 0 while queued. */
        volatile long startedAt;

        Probe(Target target) {
            this.target = target;
        }

        @Override
        public Result call() {
            startedAt = System.nanoTime();
            return probe.probe(target.endpoint(), target.credentials(), settings.probeTimeout());
        }
    }

    private Result outcomeOf(Future<Result> future, long startedAt, long bound) throws InterruptedException {
        try {
            return future.get();
        } catch (java.util.concurrent.CancellationException e) {
            boolean hadItsTime = startedAt != 0
                    && System.nanoTime() - startedAt >= settings.probeTimeout().toNanos();
            return hadItsTime
                    ? new Result(Outcome.TIMEOUT, Duration.ofMillis(bound), false, "no answer within " + bound + " ms")
                    : null;
        } catch (ExecutionException e) {
            return new Result(Outcome.ERROR, Duration.ZERO, false, String.valueOf(e.getCause()));
        }
    }

    private void observe(Watched cluster, Target target, Result result) {
        Timer.builder("polarstack.ha.probe")
                .description("HA monitor probes of database engines")
                .tag("cluster", target.cluster())
                .tag("instance", target.insId())
                .tag("role", target.role().name().toLowerCase(Locale.ROOT))
                .tag("outcome", result.outcome().name().toLowerCase(Locale.ROOT))
                .register(meters)
                .record(result.latency());
        Timer.builder("polarstack.ha.probe.latency")
                .description("HA monitor probes of every instance: latency percentiles over the fleet")
                .publishPercentiles(0.5, 0.99)
                .register(meters)
                .record(result.latency());
        if (result.outcome() == Outcome.ERROR || result.outcome() == Outcome.DENIED) {
            credentials.remove(target.cluster()); // a changed password is read again at the next refresh
        }
        if (result.outcome() == Outcome.OK && result.replication() != null) {
            try {
                keepSynchronous(cluster, target, result.replication());
            } catch (RuntimeException e) { // never in the way of a failover decision; the next probe tries again
                LOG.warn("HA monitor, MPDCluster {} instance {}: {}", target.cluster(), target.insId(), e.getMessage());
            }
        }
        if (!cluster.autoFailover) {
            return;
        }
        if (target.role() == Role.RW && result.outcome() == Outcome.OK && result.wal() != null) {
            lastRwPosition.put(target.key(), result.wal().replayed());
        }
        var observation = decision.observe(target.key(), target.role(), result.outcome(), result.detail());
        if (target.role() == Role.RW) {
            if (observation.verdict() == Verdict.FAILED) {
                rwFailed(cluster, target, observation.reason());
            } else if (observation.verdict() == Verdict.HEALTHY) {
                rwHealthy(cluster);
            }
        } else if (observation.verdict() == Verdict.FAILED) {
            roFailed(cluster, target, observation.reason());
        } else if (observation.verdict() == Verdict.HEALTHY) {
            roHealthy(cluster, target);
        }
    }

    // ---- synchronous standbys ----

    /**
     * Sets the instance's synchronous_standby_names where it differs from what {@link SyncStandbys} says, and the
     * RW's view into the SynchronousReplication condition. A flow that adds, removes, replaces or repoints an instance
     * changes the cluster's status; the next refresh carries that here within a refresh interval.
     */
    private void keepSynchronous(Watched watched, Target target, EngineProbe.Replication replication) {
        boolean rw = target.role() == Role.RW;
        String desired = SyncStandbys.value(watched.cluster, rw, replication.streaming());
        if (!desired.equals(replication.synchronousStandbyNames())) {
            probe.setSynchronousStandbyNames(target.endpoint(), target.credentials(), desired, settings.probeTimeout());
            LOG.info(
                    "MPDCluster {}: {} {} synchronous_standby_names '{}' (was '{}')",
                    watched.key,
                    target.role(),
                    target.insId(),
                    desired,
                    replication.synchronousStandbyNames());
        }
        if (!rw) {
            return;
        }
        var state = SyncStandbys.state(watched.cluster, replication.streaming());
        var current = Conditions.get(watched.cluster.getStatus(), Conditions.SYNCHRONOUS_REPLICATION);
        if (current == null
                || !(state.synchronous() ? "True" : "False").equals(current.getStatus())
                || !state.reason().equals(current.getReason())) {
            watched.cluster = status.condition(
                    namespace(watched),
                    name(watched),
                    Conditions.SYNCHRONOUS_REPLICATION,
                    state.synchronous(),
                    state.reason(),
                    state.message());
            resources.event(
                    watched.cluster, state.synchronous() ? "Normal" : "Warning", state.reason(), state.message());
        }
    }

    // ---- RW ----

    private void rwFailed(Watched watched, Target target, String reason) {
        MPDCluster cluster =
                resources.cluster(namespace(watched), name(watched)).orElse(null);
        if (cluster == null
                || cluster.getMetadata().getDeletionTimestamp() != null
                || !enabled(cluster)
                || isTrue(cluster, Conditions.EXPIRED)) {
            return; // an expired cluster's engines are stopped on purpose: never a failover
        }
        InstanceStatus instance = instances(cluster).get(target.insId());
        if (!InstanceRole.rw(instance)) {
            return; // the topology changed since the last refresh
        }
        watched.cluster = cluster;
        Optional<ProcessInstance> active = flows.active(watched.key);
        String activeFlow = active.map(HaMonitor::processKey).orElse(null);
        if (active.isPresent()
                && target.insId()
                        .equals(Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of())
                                .get(Annotations.HA_PAUSED_INS))) {
            return; // a restart flow restarts this RW on purpose; a stale mark without a flow counts for nothing
        }
        boolean blocked = active.isPresent() && !flows.incidents(active.get()).isEmpty();
        var action = FailoverDecision.whenRwFailed(cluster.getStatus().getClusterStatus(), activeFlow, blocked);
        switch (action) {
            case START -> startFailover(watched, target, reason);
            case TAKE_OVER -> {
                String why = "RW " + target.insId() + " failed: " + reason + "; Failover takes over";
                flows.cancel(active.get(), why);
                count("takeover", watched.key);
                LOG.warn("MPDCluster {}: {} stopped at an incident; cancelled it: {}", watched.key, activeFlow, why);
                resources.event(
                        cluster, "Warning", "FlowCancelled", activeFlow + " was stopped at an incident: " + why);
                // The cancelled flow's incident bookkeeping goes with it; Failover writes its own status.
                resources.annotate(namespace(watched), name(watched), Map.of(), Annotations.INTERRUPT);
                watched.cluster = status.condition(
                        namespace(watched), name(watched), Conditions.INTERRUPTED, false, "TakenOver", why);
                startFailover(watched, target, reason);
            }
            case WAIT -> waitFor(watched, target, reason, active.get(), activeFlow);
            case NONE -> {}
        }
    }

    private void startFailover(Watched watched, Target target, String reason) {
        // The outage began with the first failed probe; Failover reports its length from there.
        var since = decision.failingSince(target.key());
        Trigger trigger = new Trigger(
                TRIGGER_ROW,
                ClusterState.SWITCH_RW,
                FlowKeys.FAILOVER,
                Map.of(
                        "planned",
                        false,
                        "failedInsId",
                        target.insId(),
                        "reason",
                        reason,
                        "writesStoppedAt",
                        (since == null ? clock.instant() : since).toEpochMilli(),
                        "rwLastPosition",
                        lastRwPosition.getOrDefault(target.key(), -1L)),
                false);
        if (!operator.leading()) {
            return; // the Lease went while this round read the cluster
        }
        Optional<ProcessInstance> started = operator.start(watched.cluster, trigger);
        if (started.isEmpty()) {
            return; // a flow got in first; the next probe looks again
        }
        count("failover", watched.key);
        meters.counter("polarstack.ha.failovers", "cluster", watched.key).increment();
        String message = "RW " + target.insId() + " at " + target.endpoint() + " failed: " + reason
                + "; started Failover (process instance " + started.get().getId() + ")";
        LOG.warn("MPDCluster {}: {}", watched.key, message);
        resources.event(watched.cluster, "Warning", "AutoFailover", message);
        decision.forget(key -> key.startsWith(watched.key + "/")); // after the failover, counting starts afresh
        if (pending.remove(watched.key) != null || isTrue(watched.cluster, Conditions.FAILOVER_PENDING)) {
            watched.cluster = status.condition(
                    namespace(watched),
                    name(watched),
                    Conditions.FAILOVER_PENDING,
                    false,
                    "FailoverStarted",
                    "Failover " + started.get().getId() + " started");
        }
    }

    private void waitFor(Watched watched, Target target, String reason, ProcessInstance active, String activeFlow) {
        if (active.getId().equals(pending.get(watched.key))) {
            return; // said so once already
        }
        pending.put(watched.key, active.getId());
        count("pending", watched.key);
        String message = "RW " + target.insId() + " at " + target.endpoint() + " failed (" + reason
                + "); a failover is pending until " + activeFlow + " ends";
        LOG.warn("MPDCluster {}: {}", watched.key, message);
        watched.cluster = status.condition(
                namespace(watched), name(watched), Conditions.FAILOVER_PENDING, true, "FlowHoldsCluster", message);
        resources.event(watched.cluster, "Warning", "FailoverPending", message);
    }

    private void rwHealthy(Watched watched) {
        if (pending.remove(watched.key) != null || isTrue(watched.cluster, Conditions.FAILOVER_PENDING)) {
            watched.cluster = status.condition(
                    namespace(watched),
                    name(watched),
                    Conditions.FAILOVER_PENDING,
                    false,
                    "RwAnswers",
                    "the RW answers again; no failover pending");
        }
    }

    // ---- RO ----

    private void roFailed(Watched watched, Target target, String reason) {
        InstanceStatus known = instances(watched.cluster).get(target.insId());
        if (known == null
                || failed(known)
                || !ClusterState.RUNNING.equals(watched.cluster.getStatus().getClusterStatus())) {
            return; // already marked, or a flow runs (its own restarts are not failures)
        }
        MPDCluster cluster =
                resources.cluster(namespace(watched), name(watched)).orElse(null);
        if (cluster == null
                || !enabled(cluster)
                || !ClusterState.RUNNING.equals(cluster.getStatus().getClusterStatus())
                || flows.active(watched.key).isPresent()
                || !operator.leading()) {
            return;
        }
        watched.cluster = status.instanceState(
                namespace(watched),
                name(watched),
                target.insId(),
                instance -> !failed(instance),
                "FAILED",
                MARK + reason);
        count("ro-failed", watched.key);
        String message = "RO " + target.insId() + " at " + target.endpoint() + " failed: " + reason
                + "; marked failed, so RebuildInstance replaces it";
        LOG.warn("MPDCluster {}: {}", watched.key, message);
        resources.event(watched.cluster, "Warning", "RoFailed", message);
    }

    private void roHealthy(Watched watched, Target target) {
        InstanceStatus known = instances(watched.cluster).get(target.insId());
        if (known == null || !markedFailed(known)) {
            return;
        }
        if (flows.active(watched.key)
                .map(HaMonitor::processKey)
                .filter(FlowKeys.REBUILD_INSTANCE::equals)
                .isPresent()) {
            return; // the rebuild has begun and owns the instance now
        }
        watched.cluster = status.instanceState(
                namespace(watched),
                name(watched),
                target.insId(),
                HaMonitor::markedFailed,
                "RUNNING",
                MARK + "answers again");
        count("ro-recovered", watched.key);
        String message = "RO " + target.insId() + " at " + target.endpoint()
                + " answers again before a rebuild started; " + "no longer marked failed";
        LOG.info("MPDCluster {}: {}", watched.key, message);
        resources.event(watched.cluster, "Normal", "RoRecovered", message);
    }

    // ---- the cluster list ----

    /**
     * The clusters from the operator's watch cache (a list of the whole fleet every refresh would cost the API server and
     * this replica more than all the probes); false, changing nothing, while the watch has not listed yet.
     */
    private boolean refresh() {
        var clusters = operator.watched();
        if (clusters.isEmpty()) {
            return false;
        }
        Map<String, Watched> next = new LinkedHashMap<>();
        for (MPDCluster listed : clusters.get()) {
            if (!inScope(listed)) {
                continue;
            }
            String key = FlowKeys.businessKey(
                    listed.getMetadata().getNamespace(), listed.getMetadata().getName());
            try {
                if (isTrue(listed, Conditions.EXPIRED)) {
                    continue; // stopped behind the expiry lock: nothing to probe, nothing to fail over
                }
                MPDCluster cluster = applySwitch(listed);
                boolean autoFailover = enabled(cluster);
                if (!autoFailover) {
                    if (isTrue(cluster, Conditions.FAILOVER_PENDING)) {
                        status.condition(
                                cluster.getMetadata().getNamespace(),
                                cluster.getMetadata().getName(),
                                Conditions.FAILOVER_PENDING,
                                false,
                                "AutoFailoverOff",
                                "automatic failover is off");
                    }
                    if (Conditions.get(cluster.getStatus(), Conditions.AUTO_FAILOVER) == null) {
                        continue; // not yet created: CreateCluster sets up its instances' replication itself
                    }
                }
                Credentials account = credentials(key, cluster);
                if (account != null) {
                    next.put(key, new Watched(key, cluster, targets(key, cluster, account), autoFailover));
                }
            } catch (RuntimeException e) {
                LOG.warn("HA monitor, MPDCluster {}: {}", key, e.toString());
                if (watched.containsKey(key)) {
                    next.put(key, watched.get(key));
                }
            }
        }
        Set<Endpoint> endpoints = new HashSet<>();
        Set<String> instances = new HashSet<>();
        next.values()
                .forEach(w -> w.targets.forEach(t -> {
                    endpoints.add(t.endpoint());
                    instances.add(t.key());
                }));
        for (Watched w : watched.values()) {
            for (Target t : w.targets) {
                if (!endpoints.contains(t.endpoint())) {
                    probe.release(t.endpoint());
                }
                if (!instances.contains(t.key())) {
                    decision.forget(t.key()::equals);
                    lastRwPosition.remove(t.key());
                    meters.find("polarstack.ha.probe")
                            .tag("cluster", t.cluster())
                            .tag("instance", t.insId())
                            .meters()
                            .forEach(meters::remove);
                }
            }
        }
        watched = next;
        credentials.keySet().retainAll(next.keySet());
        pending.keySet().retainAll(next.keySet());
        return true;
    }

    private boolean inScope(MPDCluster cluster) {
        String operatorName = cluster.getSpec() == null
                ? ""
                : Objects.requireNonNullElse(cluster.getSpec().getOperatorName(), "");
        return (operatorName.isEmpty() ? "polar-mpd" : operatorName).equals(scope.name())
                && (scope.namespaces().isEmpty()
                        || scope.namespaces().contains(cluster.getMetadata().getNamespace()))
                && cluster.getMetadata().getDeletionTimestamp() == null;
    }

    /**
     * The annotation switch: {@code autoFailover=false} turns an enabled cluster's AutoFailover off; removing it turns it
     * back on, but only where the annotation had turned it off (never a Failover's Paused, never a cluster not yet
     * enabled by CreateCluster).
     */
    private MPDCluster applySwitch(MPDCluster cluster) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        String value = Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.<String, String>of())
                .get(Annotations.AUTO_FAILOVER);
        boolean off =
                value != null && "false".equalsIgnoreCase(value.trim()); // as the flows' EnableHa and ResumeHa read it
        var condition = Conditions.get(cluster.getStatus(), Conditions.AUTO_FAILOVER);
        if (off && condition != null && "True".equals(condition.getStatus())) {
            String message = "automatic failover is off by annotation " + Annotations.AUTO_FAILOVER + "=" + value
                    + "; to turn it on again remove it: kubectl annotate mpd " + name + " -n " + namespace + " "
                    + Annotations.AUTO_FAILOVER + "-";
            var updated = status.condition(
                    namespace, name, Conditions.AUTO_FAILOVER, false, Conditions.DISABLED_BY_ANNOTATION, message);
            resources.event(updated, "Normal", "AutoFailoverDisabled", message);
            return updated;
        }
        if (!off
                && condition != null
                && "False".equals(condition.getStatus())
                && Conditions.DISABLED_BY_ANNOTATION.equals(condition.getReason())) {
            String message = "automatic failover is on again (annotation " + Annotations.AUTO_FAILOVER + " removed)";
            var updated =
                    status.condition(namespace, name, Conditions.AUTO_FAILOVER, true, Conditions.ENABLED, message);
            resources.event(updated, "Normal", "AutoFailoverEnabled", message);
            return updated;
        }
        return cluster;
    }

    /** The aurora account from its Secret, read once per watched cluster (again after a probe error). */
    private Credentials credentials(String key, MPDCluster cluster) {
        Credentials cached = credentials.get(key);
        if (cached != null) {
            return cached;
        }
        String logicId = cluster.getStatus().getLogicId();
        String secret = logicId == null ? null : AccountSecrets.name(cluster, logicId, AccountSecrets.Account.AURORA);
        var aurora = secret == null
                ? Optional.<Account>empty()
                : resources
                        .secretData(cluster.getMetadata().getNamespace(), secret)
                        .flatMap(Account::of);
        if (aurora.isEmpty()) {
            if (warned.add(key)) {
                LOG.warn(
                        "HA monitor, MPDCluster {}: no aurora account Secret {} with Account and Password; not probed",
                        key,
                        secret);
            }
            return null;
        }
        warned.remove(key);
        Credentials account = new Credentials(aurora.get().user(), aurora.get().password());
        credentials.put(key, account);
        return account;
    }

    private static List<Target> targets(String key, MPDCluster cluster, Credentials account) {
        List<Target> targets = new ArrayList<>();
        instances(cluster).forEach((insId, instance) -> {
            Role role = InstanceRole.rw(instance) ? Role.RW : InstanceRole.ro(instance) ? Role.RO : null;
            var net = instance.getNetInfo();
            if (role != null
                    && net != null
                    && net.getWorkingHostIP() != null
                    && !net.getWorkingHostIP().isBlank()
                    && net.getWorkingPort() != null) {
                targets.add(new Target(
                        key, insId, role, new Endpoint(net.getWorkingHostIP(), net.getWorkingPort()), account));
            }
        });
        return targets;
    }

    private void idle() {
        if (refreshed != null) {
            LOG.info("HA monitor idle: this replica does not lead; probe connections closed");
            forgetAll();
        }
    }

    private void forgetAll() {
        watched.values().forEach(w -> w.targets.forEach(t -> probe.release(t.endpoint())));
        decision.forget(key -> true);
        lastRwPosition.clear();
        watched = Map.of();
        credentials.clear();
        pending.clear();
        refreshed = null;
        lastRoundNanos = 0;
    }

    // ---- small helpers ----

    private void count(String decision, String cluster) {
        meters.counter("polarstack.ha.decisions", "cluster", cluster, "decision", decision)
                .increment();
    }

    private static boolean enabled(MPDCluster cluster) {
        return isTrue(cluster, Conditions.AUTO_FAILOVER);
    }

    private static boolean isTrue(MPDCluster cluster, String type) {
        var condition = Conditions.get(cluster.getStatus(), type);
        return condition != null && "True".equals(condition.getStatus());
    }

    private static Map<String, InstanceStatus> instances(MPDCluster cluster) {
        return cluster.getStatus() == null || cluster.getStatus().getDbInstanceStatus() == null
                ? Map.of()
                : cluster.getStatus().getDbInstanceStatus();
    }

    private static boolean failed(InstanceStatus instance) {
        return instance.getCurrentState() != null
                && "failed".equalsIgnoreCase(instance.getCurrentState().getState());
    }

    private static boolean markedFailed(InstanceStatus instance) {
        return failed(instance)
                && instance.getCurrentState().getReason() != null
                && instance.getCurrentState().getReason().startsWith(MARK);
    }

    private static String processKey(ProcessInstance instance) {
        return FlowKeys.ofDefinition(instance.getProcessDefinitionId());
    }

    private static String namespace(Watched watched) {
        return watched.cluster.getMetadata().getNamespace();
    }

    private static String name(Watched watched) {
        return watched.cluster.getMetadata().getName();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
