package io.polarstack.orchestrator.ha;

import static io.polarstack.orchestrator.ha.FailoverDecision.Role.RO;
import static io.polarstack.orchestrator.ha.FailoverDecision.Role.RW;
import static io.polarstack.orchestrator.ha.FailoverDecision.Verdict.FAILED;
import static io.polarstack.orchestrator.ha.FailoverDecision.Verdict.FAILING;
import static io.polarstack.orchestrator.ha.FailoverDecision.Verdict.HEALTHY;
import static io.polarstack.orchestrator.ports.EngineProbe.Outcome.ERROR;
import static io.polarstack.orchestrator.ports.EngineProbe.Outcome.OK;
import static io.polarstack.orchestrator.ports.EngineProbe.Outcome.REFUSED;
import static io.polarstack.orchestrator.ports.EngineProbe.Outcome.STARTING;
import static io.polarstack.orchestrator.ports.EngineProbe.Outcome.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ha.FailoverDecision.RwAction;
import io.polarstack.orchestrator.ha.FailoverDecision.Verdict;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailoverDecisionTest {

    Instant now = Instant.parse("2025-01-01T00:00:00Z");
    final FailoverDecision decision = new FailoverDecision(Duration.ofSeconds(5), Duration.ofSeconds(20), () -> now);

    Verdict at(double seconds, String instance, FailoverDecision.Role role, Outcome outcome) {
        now = Instant.parse("2025-01-01T00:00:00Z").plusMillis((long) (seconds * 1000));
        return decision.observe(instance, role, outcome, "detail").verdict();
    }

    @Test
    void aRefusingRwIsFailedAtOnce() {
        assertThat(at(0, "rw", RW, REFUSED)).isEqualTo(FAILED);
        assertThat(decision.observe("rw", RW, REFUSED, "Connection refused").reason())
                .startsWith("REFUSED")
                .endsWith(": Connection refused");
    }

    @Test
    void aTimingOutRwIsFailedOnlyAfterFailoverAfterOfConsecutiveFailure() {
        assertThat(at(0, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(2, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(4.9, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(5, "rw", RW, TIMEOUT)).isEqualTo(FAILED);
        assertThat(decision.observe("rw", RW, TIMEOUT, "read timed out").reason())
                .isEqualTo("TIMEOUT for 5.0 s: read timed out");
    }

    @Test
    void anErringRwIsFailedOnlyAfterFailoverAfter() {
        assertThat(at(0, "rw", RW, ERROR)).isEqualTo(FAILING);
        assertThat(at(3, "rw", RW, ERROR)).isEqualTo(FAILING);
        assertThat(at(6, "rw", RW, ERROR)).isEqualTo(FAILED);
    }

    @Test
    void aDeniedLoginNeverFailsAnInstanceAndTheFirstFailureIsRemembered() {
        assertThat(at(0, "rw", RW, Outcome.DENIED)).isEqualTo(FAILING);
        assertThat(at(600, "rw", RW, Outcome.DENIED))
                .as("the engine answers: no failover")
                .isEqualTo(FAILING);
        assertThat(at(600, "ro", FailoverDecision.Role.RO, Outcome.DENIED)).isEqualTo(FAILING);
        assertThat(decision.failingSince("rw")).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        at(601, "rw", RW, Outcome.OK);
        assertThat(decision.failingSince("rw")).isNull();
    }

    @Test
    void aSuccessResetsTheCount() {
        assertThat(at(0, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(4, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(4.5, "rw", RW, OK)).isEqualTo(HEALTHY);
        assertThat(at(5, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(9.9, "rw", RW, TIMEOUT))
                .as("counts from the first failure after the success")
                .isEqualTo(FAILING);
        assertThat(at(10, "rw", RW, ERROR))
                .as("timeouts then errors are one run of failure")
                .isEqualTo(FAILED);
    }

    @Test
    void aRefusalAfterTimeoutsFailsTheRwAtOnce() {
        assertThat(at(0, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(1, "rw", RW, REFUSED)).isEqualTo(FAILED);
    }

    @Test
    void aRwStartingUpIsFailingWithinTheGrace() {
        assertThat(at(0, "rw", RW, STARTING)).isEqualTo(FAILING);
        assertThat(at(6, "rw", RW, STARTING))
                .as("past failover-after, still within the grace")
                .isEqualTo(FAILING);
        now = now.plusMillis(13_200);
        assertThat(decision.observe("rw", RW, STARTING, "[57P03] FATAL: the database system is in recovery mode")
                        .reason())
                .isEqualTo(
                        "starting up for 19.2 s (grace 20 s): [57P03] FATAL: the database system is in recovery mode");
    }

    @Test
    void aRwStillStartingUpAfterTheGraceIsFailed() {
        assertThat(at(0, "rw", RW, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(1, "rw", RW, STARTING)).isEqualTo(FAILING);
        assertThat(at(19.9, "rw", RW, STARTING)).isEqualTo(FAILING);
        assertThat(at(20, "rw", RW, STARTING))
                .as("counted from the first failed probe")
                .isEqualTo(FAILED);
        assertThat(decision.observe("rw", RW, STARTING, "").reason()).isEqualTo("starting up for 20.0 s (grace 20 s)");
    }

    @Test
    void aRwThatAnswersWithinTheGraceIsLeftAloneAndCountsAfresh() {
        assertThat(at(0, "rw", RW, STARTING)).isEqualTo(FAILING);
        assertThat(at(15, "rw", RW, STARTING)).isEqualTo(FAILING);
        assertThat(at(16, "rw", RW, OK)).isEqualTo(HEALTHY);
        assertThat(decision.failingSince("rw")).isNull();
        assertThat(at(30, "rw", RW, STARTING))
                .as("a new run of failure gets a new grace")
                .isEqualTo(FAILING);
        assertThat(at(31, "rw", RW, REFUSED))
                .as("a refusal during the grace fails it at once")
                .isEqualTo(FAILED);
    }

    @Test
    void aZeroGraceFailsAStartingRwAtOnce() {
        var strict = new FailoverDecision(Duration.ofSeconds(5), Duration.ZERO, () -> now);
        assertThat(strict.observe("rw", RW, STARTING, "").verdict()).isEqualTo(FAILED);
    }

    @Test
    void anRoStartingUpCountsLikeAnyOtherFailure() {
        assertThat(at(0, "ro", RO, STARTING)).isEqualTo(FAILING);
        assertThat(at(4.9, "ro", RO, STARTING)).isEqualTo(FAILING);
        assertThat(at(5, "ro", RO, STARTING))
                .as("failover-after, not the grace")
                .isEqualTo(FAILED);
    }

    @Test
    void anRoIsFailedAfterFailoverAfterWhateverTheFailureAndRecoversOnSuccess() {
        assertThat(at(0, "ro", RO, REFUSED)).as("a refusing RO waits too").isEqualTo(FAILING);
        assertThat(at(4, "ro", RO, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(5, "ro", RO, REFUSED)).isEqualTo(FAILED);
        assertThat(at(6, "ro", RO, ERROR)).isEqualTo(FAILED);
        assertThat(at(7, "ro", RO, OK)).isEqualTo(HEALTHY);
        assertThat(at(8, "ro", RO, REFUSED)).isEqualTo(FAILING);
    }

    @Test
    void instancesAreCountedApartAndForgetStartsAfresh() {
        assertThat(at(0, "c/a", RO, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(3, "c/b", RO, TIMEOUT)).isEqualTo(FAILING);
        assertThat(at(5, "c/a", RO, TIMEOUT)).isEqualTo(FAILED);
        assertThat(at(5, "c/b", RO, TIMEOUT)).isEqualTo(FAILING);
        decision.forget(key -> key.startsWith("c/"));
        assertThat(at(6, "c/a", RO, TIMEOUT)).isEqualTo(FAILING);
    }

    @Test
    void aFailedRwStartsFailoverOnlyOnARunningClusterNoFlowHolds() {
        assertThat(FailoverDecision.whenRwFailed("Running", null, false)).isEqualTo(RwAction.START);
        assertThat(FailoverDecision.whenRwFailed("Interrupt", null, false))
                .as("left as a person left it")
                .isEqualTo(RwAction.NONE);
        assertThat(FailoverDecision.whenRwFailed("Creating", null, false)).isEqualTo(RwAction.NONE);
    }

    @Test
    void anotherFlowIsTakenOverOnlyWhenBlockedOtherwiseTheFailoverWaits() {
        assertThat(FailoverDecision.whenRwFailed("RestartIns", "RestartInstance", false))
                .isEqualTo(RwAction.WAIT);
        assertThat(FailoverDecision.whenRwFailed("Interrupt", "RestartInstance", true))
                .isEqualTo(RwAction.TAKE_OVER);
    }

    @Test
    void aRunningFailoverOrDeleteIsLeftAlone() {
        assertThat(FailoverDecision.whenRwFailed("SwitchRw", "Failover", false)).isEqualTo(RwAction.NONE);
        assertThat(FailoverDecision.whenRwFailed("Interrupt", "Failover", true)).isEqualTo(RwAction.NONE);
        assertThat(FailoverDecision.whenRwFailed("Deleting", "DeleteCluster", true))
                .isEqualTo(RwAction.NONE);
    }
}
