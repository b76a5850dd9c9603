package io.polarstack.orchestrator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.ha.DiskUsageDecision.Action;
import io.polarstack.orchestrator.ha.DiskUsageDecision.Lock;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DiskUsageDecisionTest {

    final DiskUsageDecision decision = new DiskUsageDecision(0.95, 0.85);
    final OptionalLong quota = OptionalLong.of(1000);

    Action at(long used, Lock lock) {
        return decision.decide(OptionalLong.of(used), quota, lock);
    }

    @Test
    void locksAtTheHighThresholdOnly() {
        assertThat(at(949, Lock.NONE)).isEqualTo(Action.NONE);
        assertThat(at(950, Lock.NONE)).isEqualTo(Action.LOCK);
        assertThat(at(1200, Lock.NONE)).isEqualTo(Action.LOCK);
    }

    @Test
    void hysteresisKeepsTheMonitorsLockUntilUnderTheLowThreshold() {
        assertThat(at(960, Lock.BY_USAGE)).isEqualTo(Action.NONE);
        assertThat(at(900, Lock.BY_USAGE)).as("between the thresholds").isEqualTo(Action.NONE);
        assertThat(at(850, Lock.BY_USAGE)).isEqualTo(Action.NONE);
        assertThat(at(849, Lock.BY_USAGE)).isEqualTo(Action.UNLOCK);
    }

    @Test
    void aLockByRequestIsNeverLiftedByUsage() {
        assertThat(at(10, Lock.BY_REQUEST)).isEqualTo(Action.NONE);
        assertThat(at(990, Lock.BY_REQUEST)).isEqualTo(Action.NONE);
    }

    @Test
    void nothingMeasuredOrNoQuotaDecidesNothing() {
        assertThat(decision.decide(OptionalLong.empty(), quota, Lock.NONE)).isEqualTo(Action.NONE);
        assertThat(decision.decide(OptionalLong.of(10_000), OptionalLong.empty(), Lock.NONE))
                .isEqualTo(Action.NONE);
        assertThat(decision.decide(OptionalLong.empty(), quota, Lock.BY_USAGE)).isEqualTo(Action.NONE);
    }

    @Test
    void thresholdsMustLeaveABand() {
        assertThatThrownBy(() -> new DiskUsageDecision(0.9, 0.9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DiskUsageDecision(1.2, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThat(DiskUsageDecision.percent(955, 1000)).isEqualTo(96);
    }
}
