package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules of RestartInstance and RestartCluster. Pure: the cluster resource in, decisions out. ROs restart one at a
 * time in instance id order, each caught up before the next; the RW last, in place or by a planned switchover to a
 * restarted RO ({@link Annotations#RESTART_RW_BY}), so the write outage is a switchover's, not a restart's.
 */
public final class RestartPlan {

    public static final String IN_PLACE = "inPlace";
    public static final String SWITCHOVER = "switchover";

    private RestartPlan() {}

    /** @param roInsIds the ROs, in the order they restart; {@code rwSwitchover}: the RW's role moves instead */
    public record ClusterOrder(List<String> roInsIds, String rwInsId, boolean rwSwitchover, String note) {}

    /**
     * @param requested the start variable {@code rwSwitchover} (REST), null when not given: then the annotation says
     */
    public static ClusterOrder cluster(MPDCluster cluster, Boolean requested) {
        var instances = cluster.getStatus().getDbInstanceStatus().values();
        var rw = instances.stream()
                .filter(InstanceRole::rw)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "MPDCluster " + cluster.businessKey() + " has no rw instance in status.dbInstanceStatus"));
        List<String> ros = instances.stream()
                .filter(InstanceRole::ro)
                .map(InstanceStatus::getInsId)
                .sorted(Comparator.naturalOrder())
                .toList();
        boolean switchover = requested != null ? requested : SWITCHOVER.equals(rwBy(cluster));
        String note = "";
        if (switchover && ros.isEmpty()) {
            // Nothing to switch over to: the RW restarts in place, and says so rather than failing the restart.
            switchover = false;
            note = "no RO to switch over to: the RW restarts in place";
        }
        return new ClusterOrder(ros, rw.getInsId(), switchover, note);
    }

    /** The annotation's value as written ({@link #IN_PLACE} when unset or blank); an unknown one is refused. */
    public static String rwBy(MPDCluster cluster) {
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        String value = annotations.get(Annotations.RESTART_RW_BY);
        if (value == null || value.isBlank() || IN_PLACE.equalsIgnoreCase(value.trim())) {
            return IN_PLACE;
        }
        if (SWITCHOVER.equalsIgnoreCase(value.trim())) {
            return SWITCHOVER;
        }
        throw new IllegalArgumentException("annotation " + Annotations.RESTART_RW_BY + "=" + value + " on MPDCluster "
                + cluster.businessKey() + " is neither " + IN_PLACE + " nor " + SWITCHOVER);
    }

    /** The instance to restart; an id that is not in status is refused with the ids that are. */
    public static InstanceStatus instance(MPDCluster cluster, String insId) {
        var instances = cluster.getStatus().getDbInstanceStatus();
        InstanceStatus instance = insId == null ? null : instances.get(insId);
        if (instance == null || !(InstanceRole.rw(instance) || InstanceRole.ro(instance))) {
            throw new IllegalArgumentException("restartIns=" + insId + ": MPDCluster " + cluster.businessKey()
                    + " has no such RW or RO; its instances are "
                    + instances.keySet().stream().sorted().toList());
        }
        return instance;
    }

    /**
     * Has the restarted replica replayed up to {@code rwPosition}, the RW's write position read once after its restart
     * (a fixed mark: under a steady writer "no lag at all" may never be seen)? Null when it has; else how far behind.
     */
    public static String behind(String insId, long replayed, long rwPosition) {
        return replayed >= rwPosition
                ? null
                : "instance " + insId + " replayed up to " + replayed + ", the RW had written " + rwPosition
                        + " when the restart ended (" + (rwPosition - replayed) + " bytes behind)";
    }
}
