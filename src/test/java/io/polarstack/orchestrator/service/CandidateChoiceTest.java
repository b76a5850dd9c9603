package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.api.DataDurability;
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
    void aFailoverPromotesTheReplicaThatReceivedMostThenReplayedMost() {
        var ros = List.of(replica("1004", 900, 950L), replica("1006", 900, 990L), replica("1008", 800, 990L));
        Choice choice = CandidateChoice.failover(ros, DataDurability.REQUIRED, -1, 10, null);
        assertThat(choice.candidate()).isEqualTo("1006");
        assertThat(choice.refusal()).isNull();
        assertThat(choice.facts())
                .isEqualTo("ro 1004: received 950, replayed 900; ro 1006: received 990, replayed 900;"
                        + " ro 1008: received 990, replayed 800");
    }

    @Test
    void withRequiredEveryRoMustAnswerSinceASilentOneMayHoldTheLastCommits() {
        var ros = List.of(Answer.failed("1004", "ro 1004", "connection refused"), replica("1006", 900, 990L));
        Choice choice = CandidateChoice.failover(ros, DataDurability.REQUIRED, -1, 10, null);
        assertThat(choice.candidate()).isNull();
        assertThat(choice.refusal())
                .startsWith("with dataDurability required every RO must answer")
                .contains("[1004] did not", "ro 1006: received 990, replayed 900");
        var primary =
                List.of(Answer.of("1004", "ro 1004", new WalPosition(true, 2, 5000, null)), replica("1006", 900, 990L));
        assertThat(CandidateChoice.failover(primary, DataDurability.REQUIRED, -1, 10, null)
                        .candidate())
                .as("an RO running as a primary is no member of the quorum either")
                .isNull();
        assertThat(CandidateChoice.failover(ros, DataDurability.REQUIRED, -1, 10, "1006")
                        .refusal())
                .as("nor may one be asked for")
                .startsWith("the requested RO 1006 is not promotable");
    }

    @Test
    void withRequiredOnlyAnRoThatReceivedEverythingTheOthersDidMayBeAskedFor() {
        var ros = List.of(replica("1004", 900, 950L), replica("1006", 900, 990L));
        assertThat(CandidateChoice.failover(ros, DataDurability.REQUIRED, -1, 1 << 20, "1004")
                        .candidate())
                .isNull();
        assertThat(CandidateChoice.failover(ros, DataDurability.REQUIRED, -1, 1 << 20, "1006")
                        .candidate())
                .isEqualTo("1006");
    }

    @Test
    void withoutRequiredAnyAnsweringReplicaWithinTheLagLimitOfTheRwsLastPosition() {
        var ros = List.of(
                Answer.failed("1004", "ro 1004", "connection refused"),
                Answer.of("1006", "ro 1006", new WalPosition(true, 2, 5000, null)),
                replica("1008", 10, null),
                replica("1010", 10, 500L));
        Choice unknown = CandidateChoice.failover(ros, DataDurability.PREFERRED, -1, 0, null);
        assertThat(unknown.candidate()).isEqualTo("1010");
        assertThat(unknown.facts())
                .isEqualTo("ro 1004: does not answer (connection refused); ro 1006: runs as a primary,"
                        + " not a replica; ro 1008: received 10, replayed 10; ro 1010: received 500, replayed 10");
        Choice limited = CandidateChoice.failover(ros, DataDurability.ASYNC, 1000, 100, null);
        assertThat(limited.candidate()).isNull();
        assertThat(limited.refusal())
                .contains("ro 1010: received 500, replayed 10, 500 bytes behind the RW's last known position"
                        + " (limit 100)");
        assertThat(CandidateChoice.failover(ros, DataDurability.ASYNC, 1000, 500, null)
                        .candidate())
                .isEqualTo("1010");
    }

    @Test
    void aSwitchoverPromotesOnlyWithinTheLagLimitOfTheRw() {
        var ros = List.of(replica("1004", 900, null), replica("1006", 995, null));
        Choice choice = CandidateChoice.switchover(ros, RW, 10, null);
        assertThat(choice.candidate()).isEqualTo("1006");
        assertThat(choice.facts())
                .isEqualTo("ro 1004: lags 100 bytes behind the RW (limit 10); ro 1006: promotable,"
                        + " replayed 995, lag 5 bytes");

        Choice none = CandidateChoice.switchover(List.of(replica("1004", 900, null)), RW, 10, null);
        assertThat(none.candidate()).isNull();
        assertThat(none.refusal()).isEqualTo("no promotable RO: ro 1004: lags 100 bytes behind the RW (limit 10)");
    }

    @Test
    void aSwitchoverWithoutAnRwPositionPromotesNothingAndSaysWhy() {
        var ros = List.of(replica("1004", 900, null));
        Choice silent = CandidateChoice.switchover(ros, Answer.failed("1002", "rw 1002", "timeout"), 10, null);
        assertThat(silent.candidate()).isNull();
        assertThat(silent.facts())
                .isEqualTo("ro 1004: replayed 900; the RW 1002 does not answer (timeout), so lag is unknown");
        Choice replica = CandidateChoice.switchover(
                ros, Answer.of("1002", "rw 1002", new WalPosition(false, 1, 1000, null)), 10, null);
        assertThat(replica.facts()).isEqualTo("ro 1004: replayed 900; the RW 1002 is not a primary");
        assertThat(replica.refusal()).startsWith("no promotable RO: ");
    }

    @Test
    void theRequestedReplicaWinsWhenPromotableAndIsRefusedOtherwise() {
        var ros = List.of(replica("1004", 990, null), replica("1006", 999, null));
        assertThat(CandidateChoice.switchover(ros, RW, 20, "1004").candidate()).isEqualTo("1004");
        assertThat(CandidateChoice.switchover(ros, RW, 20, " ").candidate())
                .as("blank asks for the best")
                .isEqualTo("1006");
        Choice refused = CandidateChoice.switchover(ros, RW, 5, "1004");
        assertThat(refused.candidate()).isNull();
        assertThat(refused.refusal()).startsWith("the requested RO 1004 is not promotable: ro 1004: lags 10 bytes");
    }

    @Test
    void noReplicaNoCandidate() {
        Choice choice = CandidateChoice.failover(List.of(), DataDurability.PREFERRED, -1, 10, null);
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
