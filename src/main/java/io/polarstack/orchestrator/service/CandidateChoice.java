package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Which RO a Failover promotes, from what each RO said about its WAL. A running replica is promotable; in a planned
 * switchover (the old RW's answer given) only within {@code maxLagBytes} of the RW. The requested RO wins when
 * promotable; otherwise the one that replayed most (then received most). Pure: answers in, choice and facts out.
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
     * @param ros       the ROs' answers, in instance id order
     * @param rw        the old RW's answer in a planned switchover; null in a failover (the RW is gone)
     * @param requested the RO asked for (annotation switchRw or the REST call), or null/blank for the best one
     */
    public static Choice choose(List<Answer> ros, Answer rw, long maxLagBytes, String requested) {
        boolean planned = rw != null;
        Long rwPosition = null;
        String rwFact = "";
        if (planned) {
            if (rw.failure() != null) {
                rwFact = "; the RW " + rw.insId() + " does not answer (" + rw.failure() + "), so lag is unknown";
            } else if (rw.position().primary()) {
                rwPosition = rw.position().replayed();
            } else {
                rwFact = "; the RW " + rw.insId() + " is not a primary";
            }
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
            } else if (planned && rwPosition == null) {
                fact += "replayed " + p.replayed() + rwFact;
            } else if (planned && rwPosition - p.replayed() > maxLagBytes) {
                fact += "lags " + (rwPosition - p.replayed()) + " bytes behind the RW (limit " + maxLagBytes + ")";
            } else {
                fact += "promotable, replayed " + p.replayed()
                        + (rwPosition == null ? "" : ", lag " + (rwPosition - p.replayed()) + " bytes");
                promotable.add(ro);
            }
            facts.add(fact);
        }
        String summary = ros.isEmpty() ? "the cluster has no RO" : String.join("; ", facts);
        if (requested != null && !requested.isBlank()) {
            return promotable.stream().anyMatch(a -> a.insId().equals(requested))
                    ? new Choice(requested, summary, null)
                    : new Choice(null, summary, "the requested RO " + requested + " is not promotable: " + summary);
        }
        return promotable.stream()
                .max(Comparator.comparingLong((Answer a) -> a.position().replayed())
                        .thenComparingLong(
                                a -> Objects.requireNonNullElse(a.position().received(), 0L)))
                .map(a -> new Choice(a.insId(), summary, null))
                .orElseGet(() -> new Choice(null, summary, "no promotable RO: " + summary));
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
