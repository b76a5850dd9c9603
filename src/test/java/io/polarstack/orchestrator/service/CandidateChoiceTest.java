package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import io.polarstack.orchestrator.service.CandidateChoice.Answer;
import io.polarstack.orchestrator.service.CandidateChoice.Choice;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidateChoiceTest {

    static Answer replica(String insId, long replayed, Long received) {
        return Answer.of(insId, "ro " + insId, new WalPosition(false, 1, replayed, received));
    }

    static final Answer RW = Answer.of("1002", "rw 1002", new WalPosition(true, 1, 1000, null));

    @Test
    void aFailoverPromotesTheReplicaThatReplayedMostThenReceivedMost() {
        var ros = List.of(replica("1004", 900, 950L), replica("1006", 900, 990L), replica("1008", 800, 2000L));
        Choice choice = CandidateChoice.choose(ros, null, 10, null);
        assertThat(choice.candidate()).isEqualTo("1006");
        assertThat(choice.refusal()).isNull();
        assertThat(choice.facts())
                .isEqualTo("ro 1004: promotable, replayed 900; ro 1006: promotable, replayed 900;"
                        + " ro 1008: promotable, replayed 800");
    }

    @Test
    void aFailoverTakesAnyRunningReplicaWhateverItsLagButNoPrimaryAndNoSilentOne() {
        var ros = List.of(
                Answer.failed("1004", "ro 1004", "connection refused"),
                Answer.of("1006", "ro 1006", new WalPosition(true, 2, 5000, null)),
                replica("1008", 10, null));
        Choice choice = CandidateChoice.choose(ros, null, 0, null);
        assertThat(choice.candidate()).isEqualTo("1008");
        assertThat(choice.facts())
                .isEqualTo("ro 1004: does not answer (connection refused); ro 1006: runs as a primary,"
                        + " not a replica; ro 1008: promotable, replayed 10");
    }

    @Test
    void aSwitchoverPromotesOnlyWithinTheLagLimitOfTheRw() {
        var ros = List.of(replica("1004", 900, null), replica("1006", 995, null));
        Choice choice = CandidateChoice.choose(ros, RW, 10, null);
        assertThat(choice.candidate()).isEqualTo("1006");
        assertThat(choice.facts())
                .isEqualTo("ro 1004: lags 100 bytes behind the RW (limit 10); ro 1006: promotable,"
                        + " replayed 995, lag 5 bytes");

        Choice none = CandidateChoice.choose(List.of(replica("1004", 900, null)), RW, 10, null);
        assertThat(none.candidate()).isNull();
        assertThat(none.refusal()).isEqualTo("no promotable RO: ro 1004: lags 100 bytes behind the RW (limit 10)");
    }

    @Test
    void aSwitchoverWithoutAnRwPositionPromotesNothingAndSaysWhy() {
        var ros = List.of(replica("1004", 900, null));
        Choice silent = CandidateChoice.choose(ros, Answer.failed("1002", "rw 1002", "timeout"), 10, null);
        assertThat(silent.candidate()).isNull();
        assertThat(silent.facts())
                .isEqualTo("ro 1004: replayed 900; the RW 1002 does not answer (timeout), so lag is unknown");
        Choice replica = CandidateChoice.choose(
                ros, Answer.of("1002", "rw 1002", new WalPosition(false, 1, 1000, null)), 10, null);
        assertThat(replica.facts()).isEqualTo("ro 1004: replayed 900; the RW 1002 is not a primary");
        assertThat(replica.refusal()).startsWith("no promotable RO: ");
    }

    @Test
    void theRequestedReplicaWinsWhenPromotableAndIsRefusedOtherwise() {
        var ros = List.of(replica("1004", 990, null), replica("1006", 999, null));
        assertThat(CandidateChoice.choose(ros, RW, 20, "1004").candidate()).isEqualTo("1004");
        assertThat(CandidateChoice.choose(ros, RW, 20, " ").candidate())
                .as("blank asks for the best")
                .isEqualTo("1006");
        Choice refused = CandidateChoice.choose(ros, RW, 5, "1004");
        assertThat(refused.candidate()).isNull();
        assertThat(refused.refusal()).startsWith("the requested RO 1004 is not promotable: ro 1004: lags 10 bytes");
    }

    @Test
    void noReplicaNoCandidate() {
        Choice choice = CandidateChoice.choose(List.of(), null, 10, null);
        assertThat(choice.facts()).isEqualTo("the cluster has no RO");
        assertThat(choice.refusal()).isEqualTo("no promotable RO: the cluster has no RO");
    }

    @Test
    void onlyAnRoOfTheClusterMayBeNamed() {
        var cluster = Samples.with(
                Samples.with(
                        Samples.with(Samples.cluster("mpdcluster-local.yaml", "u1"), "1002", "rw", "n1", 5432),
                        "1006",
                        "ro",
                        "n3",
                        5432),
                "1004",
                "ro",
                "n2",
                5432);
        assertThat(CandidateChoice.requireRo(cluster, "1004", "the decision's forcedInsId")
                        .getInsId())
                .isEqualTo("1004");
        assertThatThrownBy(() -> CandidateChoice.requireRo(cluster, "1002", "the decision's forcedInsId"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "the decision's forcedInsId is 1002, which is not an RO of MPDCluster default/pg-local; the ROs are"
                                + " [1004, 1006]. Correct it (or remove the annotation switchRw), then retry");
        assertThatThrownBy(() -> CandidateChoice.requireRo(cluster, "9999", "the requested target"))
                .hasMessageStartingWith("the requested target is 9999, which is not an RO");
    }
}
