package io.polarstack.orchestrator.ha;

import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * When is an instance failed, and what may be done about a failed RW? Pure: probe outcomes and a clock in,
 * verdicts out. The RW is failed at once when its engine refuses connections (it is down, nothing to wait for);
 * one that says it is starting up only after {@code startupGrace} (crash recovery after one backend crashed usually
 * takes seconds, less than a failover); any other failure counts only after {@code failoverAfter} of consecutive
 * failure (a slow or briefly hung engine must not cost a failover). An RO is failed after {@code failoverAfter}
 * whatever the failure. Every wait counts from the first failed probe of the run; one success resets.
 */
public final class FailoverDecision {

    public enum Role {
        RW,
        RO
    }

    public enum Verdict {
        HEALTHY,
        /** failing, not yet for long enough */
        FAILING,
        FAILED
    }

    /** @param reason the outcome, how long it has lasted and the probe's detail, for events and the Failover flow */
    public record Observation(Verdict verdict, String reason) {}

    /** What to do about a failed RW, given what holds the cluster. */
    public enum RwAction {
        /** start an unplanned Failover */
        START,
        /** cancel the blocked flow, then start Failover */
        TAKE_OVER,
        /** another flow runs and is not blocked: the failover waits until it ends */
        WAIT,
        /** leave it: a Failover or DeleteCluster already holds the cluster, or the cluster is not Running */
        NONE
    }

    private final Duration failoverAfter;
    private final Duration startupGrace;
    private final InstantSource clock;
    private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();

    public FailoverDecision(Duration failoverAfter, Duration startupGrace, InstantSource clock) {
        this.failoverAfter = failoverAfter;
        this.startupGrace = startupGrace;
        this.clock = clock;
    }

    /** Records one probe of {@code instance} and says where it stands. */
    public Observation observe(String instance, Role role, Outcome outcome, String detail) {
        if (outcome == Outcome.OK) {
            failingSince.remove(instance);
            return new Observation(Verdict.HEALTHY, "");
        }
        Instant now = clock.instant();
        Duration failing = Duration.between(failingSince.computeIfAbsent(instance, i -> now), now);
        String detailed = detail == null || detail.isEmpty() ? "" : ": " + detail;
        if (role == Role.RW && outcome == Outcome.STARTING) {
            String reason = "starting up for " + seconds(failing) + " (grace " + setting(startupGrace) + ")" + detailed;
            return new Observation(failing.compareTo(startupGrace) >= 0 ? Verdict.FAILED : Verdict.FAILING, reason);
        }
        String reason = outcome + (failing.isZero() ? "" : " for " + seconds(failing)) + detailed;
        if (outcome == Outcome.DENIED) {
            // It answered: a changed password is no reason to fail a running engine over, however long it lasts.
            return new Observation(Verdict.FAILING, reason + " (the engine answers; fix the account Secret)");
        }
        if (role == Role.RW && outcome == Outcome.REFUSED) {
            return new Observation(Verdict.FAILED, reason);
        }
        return new Observation(failing.compareTo(failoverAfter) >= 0 ? Verdict.FAILED : Verdict.FAILING, reason);
    }

    /** When the current run of failures of {@code instance} began; null while it is healthy. */
    public Instant failingSince(String instance) {
        return failingSince.get(instance);
    }

    /** Forgets the instances matching {@code which}: counting starts afresh when they are watched again. */
    public void forget(Predicate<String> which) {
        failingSince.keySet().removeIf(which);
    }

    /**
     * @param clusterStatus  the cluster's {@code status.clusterStatus}
     * @param activeFlow     process key of the flow holding the cluster; null when none
     * @param blocked        that flow has an open incident (it waits for someone; with its RW dead, likely forever)
     */
    public static RwAction whenRwFailed(String clusterStatus, String activeFlow, boolean blocked) {
        if (activeFlow == null) {
            // Not Running with no flow: an Interrupt someone left (cancelled) or a cluster being created; a person
            // decides.
            return ClusterState.RUNNING.equals(clusterStatus) ? RwAction.START : RwAction.NONE;
        }
        if (FlowKeys.FAILOVER.equals(activeFlow) || FlowKeys.DELETE_CLUSTER.equals(activeFlow)) {
            return RwAction.NONE;
        }
        return blocked ? RwAction.TAKE_OVER : RwAction.WAIT;
    }

    /** A setting as it is usually written: 20 s, 1.5 s. */
    private static String setting(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : seconds(duration);
    }

    private static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
