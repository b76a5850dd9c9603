package io.polarstack.orchestrator;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The usage monitor of the HA monitor's leader loop, under {@code orchestrator.disk-usage.*}; listed in README's
 * configuration table.
 *
 * @param enabled     measure at all (off: only requested disk-full locks)
 * @param interval    how often each instance's data usage is measured (one {@code pg_database_size} sum each)
 * @param lockAbove   share of the quota at or over which the cluster is locked read-only for ordinary users
 * @param unlockBelow share of the quota under which a lock the monitor set is lifted again
 */
@ConfigurationProperties("orchestrator.disk-usage")
public record DiskUsageProperties(Boolean enabled, Duration interval, Double lockAbove, Double unlockBelow) {

    public DiskUsageProperties {
        enabled = enabled == null || enabled;
        interval = interval == null || interval.isZero() || interval.isNegative() ? Duration.ofSeconds(30) : interval;
        lockAbove = lockAbove == null ? 0.95 : lockAbove;
        unlockBelow = unlockBelow == null ? 0.85 : unlockBelow;
    }
}
