package io.polarstack.orchestrator.operator;

import io.polarstack.orchestrator.operator.ClusterOperator.Leadership.State;
import java.util.Locale;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code leadership} health component: UP as leader or follower (another replica, or nobody for now, holds the
 * Lease and this one competes), DOWN when the operator does not take part in the election although it is enabled,
 * since such a replica would never lead. UP with state {@code disabled} when the operator is turned off.
 */
@Component
public class LeadershipHealthIndicator implements HealthIndicator {

    private final ClusterOperator operator;

    public LeadershipHealthIndicator(ClusterOperator operator) {
        this.operator = operator;
    }

    @Override
    public Health health() {
        var leadership = operator.leadership();
        var health = leadership.state() == State.NOT_ELECTING ? Health.down() : Health.up();
        health.withDetail(
                        "state",
                        leadership.state().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                .withDetail("identity", leadership.identity());
        if (leadership.holder() != null) {
            health.withDetail("holder", leadership.holder());
        }
        return health.build();
    }
}
