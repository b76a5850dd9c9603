package io.polarstack.orchestrator.ha;

import java.util.OptionalLong;

/**
 * Whether a cluster's data usage asks for the disk-full lock or lets it go, with hysteresis: lock at or above
 * {@code lockAbove} of the quota, lift a lock the monitor set only below {@code unlockBelow}, so a usage hovering at
 * the threshold does not lock and unlock every round. A lock set by request is never lifted here. Pure.
 */
public record DiskUsageDecision(double lockAbove, double unlockBelow) {

    public DiskUsageDecision {
        if (!(lockAbove > 0 && lockAbove <= 1 && unlockBelow > 0 && unlockBelow < lockAbove)) {
            throw new IllegalArgumentException("disk usage thresholds need 0 < unlock-below (" + unlockBelow
                    + ") < lock-above (" + lockAbove + ") <= 1");
        }
    }

    public enum Action {
        LOCK,
        UNLOCK,
        NONE
    }

    /** How the cluster stands now: not locked, locked by the monitor (usage), or locked by request. */
    public enum Lock {
        NONE,
        BY_USAGE,
        BY_REQUEST
    }

    /**
     * @param usedBytes the largest data usage of the cluster's instances; empty when none could be measured
     * @param quota     the instance quota; empty when the cluster names none
     */
    public Action decide(OptionalLong usedBytes, OptionalLong quota, Lock lock) {
        if (usedBytes.isEmpty() || quota.isEmpty()) {
            return Action.NONE; // nothing measured is no reason to lock or unlock
        }
        double used = (double) usedBytes.getAsLong() / quota.getAsLong();
        return switch (lock) {
            case NONE -> used >= lockAbove ? Action.LOCK : Action.NONE;
            case BY_USAGE -> used < unlockBelow ? Action.UNLOCK : Action.NONE;
            case BY_REQUEST -> Action.NONE;
        };
    }

    /** The share of the quota in use, for messages, as a whole percent. */
    public static long percent(long usedBytes, long quota) {
        return Math.round(100.0 * usedBytes / quota);
    }
}
