package io.polarstack.orchestrator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An overloaded monitor probes every instance in turn: each round starts where the last one ran out of time. */
class ProbeRotationTest {

    @Test
    void aRoundThatProbedEverythingKeepsItsStart() {
        assertThat(HaMonitor.nextStart(2, new boolean[] {true, true, true, true}))
                .isEqualTo(2);
    }

    @Test
    void theNextRoundStartsAtTheFirstTargetLeftUnprobed() {
        // started at target 0; targets 0 and 1 probed, 2 and 3 not
        assertThat(HaMonitor.nextStart(0, new boolean[] {true, true, false, false}))
                .isEqualTo(2);
        // started at target 2: submission order 2, 3, 0, 1; 2 and 3 probed, 0 and 1 not
        assertThat(HaMonitor.nextStart(2, new boolean[] {true, true, false, false}))
                .isEqualTo(0);
    }

    @Test
    void roundsThatProbeHalfEachCoverEveryTargetInTwo() {
        int n = 6;
        boolean[] seen = new boolean[n];
        int start = 0;
        for (int round = 0; round < 2; round++) {
            boolean[] probed = new boolean[n];
            for (int k = 0; k < n / 2; k++) {
                probed[k] = true;
                seen[(start + k) % n] = true;
            }
            start = HaMonitor.nextStart(start, probed);
        }
        assertThat(seen).containsOnly(true);
    }
}
