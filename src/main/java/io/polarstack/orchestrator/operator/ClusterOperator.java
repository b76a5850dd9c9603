package io.polarstack.orchestrator.operator;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.engine.ClusterBusyException;
import io.polarstack.orchestrator.engine.ClusterStatusPlugin;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The operator loop: while this replica holds the Lease, every change to an MPDCluster is looked at once, in
 * order, and turned into at most one running flow per cluster. It decides and starts; the flows do the work.
 */
@Component
public class ClusterOperator {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterOperator.class);
    static final String LEASE = "polarstack-orchestrator";

    private final ClusterResources resources;
    private final ClusterStatusWriter status;
    private final ClusterFlows flows;
    private final OrchestratorProperties.Operator settings;
    /**
     * Clusters are spread by key over {@code look-threads} threads: one cluster's looks stay in order on its thread,
     * and a look that waits for the API server or the engine database (a flow start is three API calls) delays only
     * the clusters of its stripe, not every other change in the fleet.
     */
    private final ExecutorService[] workers;
    /** Per stripe: a look and a start by the HA monitor for a cluster of that stripe never interleave. */
    private final Object[] stripeLocks;
    /**
     * Per queued cluster, the newest object its watch delivered: looked at as it is, without another GET (the
     * informer saw nothing newer, or it would be here), so a busy fleet costs no API call per look. {@link #FETCH}
     * when the cue came from elsewhere (a flow's end).
     */
    private final Map<String, MPDCluster> queued = new ConcurrentHashMap<>();

    private static final MPDCluster FETCH = new MPDCluster();
    private volatile ClusterResources.ClusterWatch watch;
    private AutoCloseable leadership;
    /** Campaigning for the Lease (from start to stop), whether or not this replica holds it now. */
    private volatile boolean electing;
    /** The Lease holder last seen, this replica or another; null until the first is seen. */
    private volatile String holder;
    /** Told at once when this replica stops leading (the HA monitor), on the election's thread. */
    private final List<Runnable> leadershipLost = new CopyOnWriteArrayList<>();

    public ClusterOperator(
            ClusterResources resources,
            ClusterStatusWriter status,
            ClusterFlows flows,
            OrchestratorProperties properties) {
        this.resources = resources;
        this.status = status;
        this.flows = flows;
        this.settings = properties.operator();
        workers = new ExecutorService[settings.lookThreads()];
        stripeLocks = new Object[settings.lookThreads()];
        for (int i = 0; i < workers.length; i++) {
            String threadName = "cluster-operator-" + i;
            workers[i] = Executors.newSingleThreadExecutor(r -> new Thread(r, threadName));
            stripeLocks[i] = new Object();
        }
    }

    private int stripe(String namespace, String name) {
        return Math.floorMod(FlowKeys.businessKey(namespace, name).hashCode(), workers.length);
    }

    private Object lockOf(MPDCluster cluster) {
        return stripeLocks[
                stripe(
                        cluster.getMetadata().getNamespace(),
                        cluster.getMetadata().getName())];
    }

    /** After the engine and its job executor run, so a flow started here moves at once. */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        if (!settings.enabled()) {
            LOG.info("operator disabled (orchestrator.operator.enabled=false): flows start only when asked for");
            return;
        }
        electing = true;
        leadership = resources.lead(
                settings.leaseNamespace(),
                LEASE,
                settings.identity(),
                this::startWatching,
                this::stopWatching,
                seen -> holder = seen);
    }

    @jakarta.annotation.PreDestroy
    public void stop() throws Exception {
        electing = false;
        if (leadership != null) {
            leadership.close();
        }
        stopWatching();
        for (ExecutorService worker : workers) {
            worker.shutdownNow();
        }
    }

    private synchronized void startWatching() {
        LOG.info(
                "leading: watching MPDClusters in {}",
                settings.namespaces().isEmpty() ? "all namespaces" : settings.namespaces());
        watch = resources.watchClusters(Set.copyOf(settings.namespaces()), settings.resync(), this::enqueue);
    }

    private synchronized void stopWatching() {
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                LOG.warn("closing the cluster watch: {}", e.toString());
            }
            watch = null;
            queued.clear(); // what is queued is looked at by the next leader's first list
            if (settings.identity().equals(holder)) {
                holder = null; // not known until the Lease is read again
            }
            LOG.info("no longer leading: stopped watching MPDClusters");
            leadershipLost.forEach(Runnable::run);
        }
    }

    /** Runs {@code listener} (briefly, on the election's thread) each time this replica stops leading. */
    public void onLeadershipLost(Runnable listener) {
        leadershipLost.add(listener);
    }

    /** Where the campaign for the Lease stands, for the health endpoint. */
    public Leadership leadership() {
        if (!settings.enabled()) {
            return new Leadership(Leadership.State.DISABLED, settings.identity(), holder);
        }
        Leadership.State state = !electing
                ? Leadership.State.NOT_ELECTING
                : leading() ? Leadership.State.LEADER : Leadership.State.FOLLOWER;
        return new Leadership(state, settings.identity(), holder);
    }

    /**
     * @param identity this replica's identity in the Lease
     * @param holder   the holder last seen (null when none was seen yet)
     */
    public record Leadership(State state, String identity, String holder) {
        public enum State {
            LEADER,
            FOLLOWER,
            NOT_ELECTING,
            DISABLED
        }
    }

    /**
     * A flow ended and its transaction committed: look at the cluster again, so a change made while the flow ran
     * starts now. The status write at the flow's end is no such cue: its watch event can come before the commit.
     */
    @EventListener
    public void flowEnded(ClusterStatusPlugin.FlowEnded ended) {
        if (watch != null
                && (settings.namespaces().isEmpty() || settings.namespaces().contains(ended.namespace()))) {
            enqueue(ended.namespace(), ended.name());
        }
    }

    private void enqueue(MPDCluster cluster) {
        enqueue(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), cluster);
    }

    private void enqueue(String namespace, String name) {
        enqueue(namespace, name, FETCH);
    }

    private void enqueue(String namespace, String name, MPDCluster seen) {
        String key = namespace + "/" + name;
        // Debug lines time the path from a change to its flow (bench/cluster-flow-overhead.py reads them).
        LOG.debug("MPDCluster {}: change seen", key);
        if (queued.put(key, seen) == null) {
            workers[stripe(namespace, name)].execute(() -> {
                MPDCluster newest = queued.remove(key);
                if (watch == null || newest == null) {
                    return; // queued while leading, no longer leading: another replica acts on it
                }
                LOG.debug("MPDCluster {}: looked at", key);
                try {
                    (newest == FETCH ? resources.cluster(namespace, name) : Optional.of(newest))
                            .ifPresent(this::reconcile);
                } catch (RuntimeException e) {
                    var busy = ClusterBusyException.in(e);
                    if (busy.isPresent()) {
                        // Started elsewhere (another replica, /engine-rest) since the look; its end brings us back.
                        LOG.info(
                                "MPDCluster {}/{}: {}",
                                namespace,
                                name,
                                busy.get().getMessage());
                    } else {
                        LOG.warn("MPDCluster {}/{}: {}", namespace, name, e.toString(), e);
                    }
                }
            });
        }
    }

    /** This replica holds the Lease and watches the clusters (the HA monitor acts only then). */
    public boolean leading() {
        return watch != null;
    }

    /** The clusters in scope as the watch's cache holds them; empty when not leading or not yet listed. */
    public Optional<List<MPDCluster>> watched() {
        var current = watch;
        return current == null ? Optional.empty() : current.clusters();
    }

    /**
     * Starts {@code trigger}'s flow with the same status, condition and event bookkeeping as a trigger-table flow,
     * unless a flow already holds the cluster. For other parts of the leader (the HA monitor). Locked with
     * {@link #reconcile} per cluster, so the two never start two flows for one cluster. Empty when a flow was already
     * active.
     */
    public Optional<ProcessInstance> start(MPDCluster cluster, Trigger trigger) {
        synchronized (lockOf(cluster)) {
            return startUnlessActive(cluster, trigger);
        }
    }

    private Optional<ProcessInstance> startUnlessActive(MPDCluster cluster, Trigger trigger) {
        String key = FlowKeys.businessKey(
                cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
        // The look-up is the fast path of this replica; the engine database's guard decides across replicas.
        if (flows.active(key).isPresent()) {
            return Optional.empty();
        }
        try {
            return Optional.of(startFlow(cluster, trigger));
        } catch (RuntimeException e) {
            if (ClusterBusyException.in(e).isEmpty()) {
                throw e;
            }
            LOG.info("MPDCluster {}: {} not started: {}", key, trigger.processKey(), e.getMessage());
            return Optional.empty();
        }
    }

    /** One look at one cluster; visible for tests. */
    void reconcile(MPDCluster cluster) {
        synchronized (lockOf(cluster)) {
            look(cluster);
        }
    }

    private void look(MPDCluster cluster) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        String operatorName = Objects.requireNonNullElse(cluster.getSpec().getOperatorName(), "");
        if (!(operatorName.isEmpty() ? "polar-mpd" : operatorName).equals(settings.name())) {
            return;
        }
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        String key = FlowKeys.businessKey(namespace, name);
        var active = flows.active(key);

        if (cluster.getMetadata().getDeletionTimestamp() != null) {
            if (cluster.getMetadata().getFinalizers() == null
                    || !cluster.getMetadata().getFinalizers().contains(MPDCluster.FINALIZER)) {
                return;
            }
            if (active.isPresent()
                    && !FlowKeys.DELETE_CLUSTER.equals(
                            FlowKeys.ofDefinition(active.get().getProcessDefinitionId()))) {
                flows.cancel(active.get(), "the cluster is being deleted");
                active = java.util.Optional.empty();
            }
            if (active.isEmpty()) {
                startFlow(cluster, new Trigger(-1, ClusterState.DELETING, FlowKeys.DELETE_CLUSTER, Map.of(), false));
            }
            return;
        }
        if (cluster.getMetadata().getFinalizers() == null
                || !cluster.getMetadata().getFinalizers().contains(MPDCluster.FINALIZER)) {
            resources.finalizer(namespace, name, true);
            LOG.debug("MPDCluster {}/{}: finalizer added", namespace, name);
        }
        if (Annotations.isTrue(annotations.get(Annotations.CANCELLED))) {
            cancel(cluster, active.orElse(null));
            return;
        }
        if (cluster.getStatus() != null
                && ClusterState.INTERRUPT.equals(cluster.getStatus().getClusterStatus())
                && annotations.containsKey(Annotations.INTERRUPT_RECOVER)
                && !"F".equalsIgnoreCase(annotations.get(Annotations.INTERRUPT_RECOVER))) {
            resume(cluster, annotations, active.orElse(null));
            return;
        }
        if (active.isPresent()) {
            return; // one flow at a time: a change waits until this one ends
        }
        if (TriggerTable.heldByFlow(cluster)) {
            flowGone(cluster);
            return;
        }
        var trigger = TriggerTable.evaluate(cluster);
        if (trigger.isEmpty()) {
            return;
        }
        startFlow(cluster, trigger.get());
    }

    private ProcessInstance startFlow(MPDCluster cluster, Trigger trigger) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        Map<String, Object> variables = new HashMap<>(trigger.variables());
        if (trigger.recoverFromFirstStep()) {
            variables.put(ClusterFlows.RECOVER_FROM_FIRST_STEP, true);
        }
        var shown = new java.util.concurrent.atomic.AtomicReference<MPDCluster>();
        var instance = flows.start(
                trigger.processKey(),
                namespace,
                name,
                variables,
                started -> shown.set(status.flowStarted(
                        namespace,
                        name,
                        cluster.getMetadata().getGeneration(),
                        trigger.state(),
                        trigger.processKey(),
                        started.getId())));
        LOG.info(
                "MPDCluster {}/{}: started {} (trigger row {}) as {}",
                namespace,
                name,
                trigger.processKey(),
                trigger.row(),
                instance.getId());
        resources.event(
                shown.get(),
                "Normal",
                "FlowStarted",
                trigger.processKey() + " started (process instance " + instance.getId() + ")");
        return instance;
    }

    /**
     * The cluster shows a flow that the engine no longer runs, and the flow's state, which nothing else leaves: the flow
     * was deleted without its listeners (Cockpit's default), its end could not be written, or the engine database
     * lost it. Waiting would wait for good, and starting something on a guess is no better: it becomes an interrupt
     * that says so, resumed like any other (interrupt.recover=T brings back Running and the trigger table decides).
     * Confirmed on a fresh read first: a flow ending meanwhile clears its flow in the status before it commits, so a
     * status still naming it after the engine says it is gone was never going to change.
     */
    private void flowGone(MPDCluster seen) {
        String namespace = seen.getMetadata().getNamespace();
        String name = seen.getMetadata().getName();
        var fresh = resources.cluster(namespace, name).filter(TriggerTable::heldByFlow);
        if (fresh.isEmpty()
                || flows.active(FlowKeys.businessKey(namespace, name)).isPresent()) {
            return;
        }
        String state = fresh.get().getStatus().getClusterStatus();
        var flow = fresh.get().getStatus().getFlow();
        String message = flow.getName() + " (process instance " + flow.getProcessInstanceId()
                + ") is no longer in the engine, but the cluster still shows " + state
                + ": the flow was deleted without its listeners or lost with the engine database. Its steps are safe"
                + " to run again: annotate interrupt.recover=T and the cluster's annotations and spec decide anew";
        var updated = status.flowGone(namespace, name, state, flow.getProcessInstanceId(), message);
        if (updated.isEmpty()) {
            return; // the status moved on meanwhile
        }
        LOG.warn("MPDCluster {}/{}: {}", namespace, name, message);
        resources.annotate(
                namespace,
                name,
                Map.of(
                        Annotations.INTERRUPT_RECOVER,
                        "F",
                        Annotations.INTERRUPT_REASON,
                        "FLOW_GONE",
                        Annotations.INTERRUPT_MESSAGE,
                        message,
                        Annotations.INTERRUPT_PREVIOUS,
                        ClusterState.RUNNING),
                Set.of());
        resources.event(updated.get(), "Warning", "FlowGone", message);
    }

    private void cancel(MPDCluster cluster, org.camunda.bpm.engine.runtime.ProcessInstance active) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        String reason = "cancelled by annotation cancelled=true";
        String previous =
                cluster.getStatus() == null ? null : cluster.getStatus().getClusterStatus();
        if (active != null) {
            flows.cancel(active, reason);
        }
        var updated = status.cancelled(
                namespace,
                name,
                (active == null
                                ? "nothing was running; "
                                : FlowKeys.ofDefinition(active.getProcessDefinitionId()) + " ")
                        + reason
                        + ". To go on, annotate interrupt.recover=T (or forceRebuild=true)");
        Map<String, String> set = new HashMap<>(Map.of(
                Annotations.INTERRUPT_RECOVER,
                "F",
                Annotations.INTERRUPT_REASON,
                "CANCELLED",
                Annotations.INTERRUPT_MESSAGE,
                reason));
        if (previous != null && !ClusterState.INTERRUPT.equals(previous)) {
            set.put(Annotations.INTERRUPT_PREVIOUS, previous);
        }
        resources.annotate(namespace, name, set, Set.of(Annotations.CANCELLED));
        resources.event(updated, "Warning", "FlowCancelled", reason);
    }

    private void resume(
            MPDCluster cluster,
            Map<String, String> annotations,
            org.camunda.bpm.engine.runtime.ProcessInstance active) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        String previous = annotations.getOrDefault(Annotations.INTERRUPT_PREVIOUS, ClusterState.RUNNING);
        // recoverFromFirstStep (RebuildCluster): the stopped flow goes; the cluster is back in its state, whose trigger
        // starts the flow afresh at the next look, from its first step.
        boolean restart = active != null && flows.recoversFromFirstStep(active);
        String restarted = restart ? FlowKeys.ofDefinition(active.getProcessDefinitionId()) : null;
        if (restart) {
            flows.cancel(active, "interrupt.recover: " + restarted + " starts again from its first step");
        }
        int resumed = active == null || restart ? 0 : flows.resume(active);
        // Status first: once the job runs again, its own step listener writes the status.
        var updated = status.resumed(
                namespace,
                name,
                previous.isBlank() ? ClusterState.RUNNING : previous,
                restart
                        ? restarted + " starts again from its first step (interrupt.recover)"
                        : resumed > 0
                                ? "resumed " + resumed + " failed step(s) by interrupt.recover"
                                : "interrupt cleared by interrupt.recover");
        resources.annotate(namespace, name, Map.of(), Annotations.INTERRUPT);
        resources.event(
                updated,
                "Normal",
                "Resumed",
                restart
                        ? restarted + " starts again from its first step"
                        : resumed > 0
                                ? "retrying " + resumed + " failed step(s)"
                                : "interrupt cleared; back to " + previous);
    }
}
