package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.DataDurability;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Which RO a Failover promotes, from what each RO said about its WAL: in a planned switchover one close enough to the
 * RW, in an unplanned failover one that holds every acknowledged commit. The requested RO wins when promotable;
 * otherwise the one that received most (then replayed most). Pure: answers in, choice and facts out.
 */
public final class CandidateChoice {

    /**
     * What one instance said: its WAL position, or why it gave none.
     *
     * @param who how the facts name it (type, id, pod, node)
     */
    public record Answer(String insId, String who, WalPosition position, String failure) {

        public static Answer of(String insId, String who, WalPosition position) {
            return new Answer(insId, who, position, null);
        }

        public static Answer failed(String insId, String who, String failure) {
            return new Answer(insId, who, null, failure);
        }
    }

    /**
     * @param candidate the RO to promote, or null when none may be
     * @param facts     what each RO said, for the person who decides
     * @param refusal   why none was chosen (null when one was)
     */
    public record Choice(String candidate, String facts, String refusal) {}

    private CandidateChoice() {}

    /**
     * A planned switchover: a running replica within {@code maxLagBytes} of the RW's position.
     *
     * @param ros       the ROs' answers, in instance id order
     * @param rw        the RW's answer
     * @param requested the RO asked for (annotation switchRw or the REST call), or null/blank for the best one
     */
    public static Choice switchover(List<Answer> ros, Answer rw, long maxLagBytes, String requested) {
        Long rwPosition = null;
        String rwFact = "";
        if (rw.failure() != null) {
            rwFact = "; the RW " + rw.insId() + " does not answer (" + rw.failure() + "), so lag is unknown";
        } else if (rw.position().primary()) {
            rwPosition = rw.position().replayed();
        } else {
            rwFact = "; the RW " + rw.insId() + " is not a primary";
        }
        List<String> facts = new ArrayList<>();
        List<Answer> promotable = new ArrayList<>();
        for (Answer ro : ros) {
            WalPosition p = ro.position();
            String fact = ro.who() + ": ";
            if (ro.failure() != null) {
                fact += "does not answer (" + ro.failure() + ")";
            } else if (p.primary()) {
                fact += "runs as a primary, not a replica";
            } else if (rwPosition == null) {
                fact += "replayed " + p.replayed() + rwFact;
            } else if (rwPosition - p.replayed() > maxLagBytes) {
                fact += "lags " + (rwPosition - p.replayed()) + " bytes behind the RW (limit " + maxLagBytes + ")";
            } else {
                fact += "promotable, replayed " + p.replayed() + ", lag " + (rwPosition - p.replayed()) + " bytes";
                promotable.add(ro);
            }
            facts.add(fact);
        }
        return pick(ros, promotable, facts, requested, "no promotable RO: ");
    }

    /**
     * An unplanned failover: the RW is gone, so only what the ROs received counts. With {@code required} every commit
     * the RW acknowledged reached one RO of the quorum, so the RO that received most holds them all, but only if
     * every RO answers (one that does not may hold the only copy). Otherwise a running replica within
     * {@code maxLagBytes} of the RW's last position the HA monitor saw ({@code rwLastPosition}, negative when unknown).
     */
    public static Choice failover(
            List<Answer> ros, DataDurability durability, long rwLastPosition, long maxLagBytes, String requested) {
        List<String> facts = new ArrayList<>();
        List<Answer> replicas = new ArrayList<>();
        List<String> silent = new ArrayList<>();
        for (Answer ro : ros) {
            String fact = ro.who() + ": ";
            if (ro.failure() != null) {
                fact += "does not answer (" + ro.failure() + ")";
                silent.add(ro.insId());
            } else if (ro.position().primary()) {
                fact += "runs as a primary, not a replica";
                silent.add(ro.insId());
            } else {
                fact += "received " + received(ro) + ", replayed "
                        + ro.position().replayed();
                replicas.add(ro);
            }
            facts.add(fact);
        }
        long best = replicas.stream().mapToLong(CandidateChoice::received).max().orElse(-1);
        List<Answer> promotable = new ArrayList<>();
        String none = "no promotable RO: ";
        if (durability == DataDurability.REQUIRED) {
            if (!silent.isEmpty()) {
                none = "with dataDurability required every RO must answer, since one that does not may hold the"
                        + " only copy of the last acknowledged commits, and " + silent + " did not: ";
            } else {
                replicas.stream().filter(a -> received(a) == best).forEach(promotable::add);
            }
        } else {
            for (Answer ro : replicas) {
                long lag = rwLastPosition < 0 ? 0 : rwLastPosition - received(ro);
                if (lag <= maxLagBytes) {
                    promotable.add(ro);
                } else {
                    int i = ros.indexOf(ro);
                    facts.set(
                            i,
                            facts.get(i) + ", " + lag + " bytes behind the RW's last known position (limit "
                                    + maxLagBytes + ")");
                }
            }
        }
        return pick(ros, promotable, facts, requested, none);
    }

    /** The requested RO when promotable, else the one that received most, then replayed most. */
    private static Choice pick(
            List<Answer> ros, List<Answer> promotable, List<String> facts, String requested, String none) {
        String summary = ros.isEmpty() ? "the cluster has no RO" : String.join("; ", facts);
        if (requested != null && !requested.isBlank()) {
            return promotable.stream().anyMatch(a -> a.insId().equals(requested))
                    ? new Choice(requested, summary, null)
                    : new Choice(null, summary, "the requested RO " + requested + " is not promotable: " + summary);
        }
        return promotable.stream()
                .max(Comparator.comparingLong(CandidateChoice::received)
                        .thenComparingLong(a -> a.position().replayed()))
                .map(a -> new Choice(a.insId(), summary, null))
                .orElseGet(() -> new Choice(null, summary, none + summary));
    }

    /** What the replica's walreceiver flushed; what it replayed when it has not streamed since it started. */
    private static long received(Answer ro) {
        WalPosition p = ro.position();
        return Math.max(p.replayed(), Objects.requireNonNullElse(p.received(), 0L));
    }

    /** The RO {@code insId} of the cluster; {@code what} says where the id came from when it is not one. */
    public static InstanceStatus requireRo(MPDCluster cluster, String insId, String what) {
        var instances = cluster.getStatus().getDbInstanceStatus();
        InstanceStatus instance = instances.get(insId);
        if (!InstanceRole.ro(instance)) {
            throw new IllegalArgumentException(
                    what + " is " + insId + ", which is not an RO of MPDCluster " + cluster.businessKey()
                            + "; the ROs are "
                            + instances.values().stream()
                                    .filter(InstanceRole::ro)
                                    .map(InstanceStatus::getInsId)
                                    .sorted()
                                    .toList()
                            + ". Correct it (or remove the annotation switchRw), then retry");
        }
        return instance;
    }
}
