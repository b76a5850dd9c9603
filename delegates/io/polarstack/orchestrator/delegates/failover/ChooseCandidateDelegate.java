package io.polarstack.orchestrator.delegates.failover;

import io.polarstack.orchestrator.api.DataDurability;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.CandidateChoice;
import io.polarstack.orchestrator.service.CandidateChoice.Answer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Task_ChooseCandidate: the RO to promote ({@link CandidateChoice}). Every RO, and in a planned switchover the RW, is
 * asked at once where its WAL stands (over SQL: fast), on at most {@value #PROBE_THREADS} threads that this bean keeps.
 * None promotable: {@code Error_NoPromotableReplica} with the facts in {@code candidateFacts} for the person who decides.
 * A person's "promote this RO anyway" ({@code forcedInsId}) skips the checks. Reads only, so safe to repeat.
 */
@Component
public class ChooseCandidateDelegate implements JavaDelegate {

    static final String NO_PROMOTABLE_REPLICA = "Error_NoPromotableReplica";
    static final int PROBE_THREADS = 8;

    private final ClusterResources resources;
    private final WalPositions positions;
    private final long maxLagBytes;
    private final ThreadPoolExecutor probes = new ThreadPoolExecutor(
            PROBE_THREADS, PROBE_THREADS, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "failover-candidates");
                t.setDaemon(true);
                return t;
            });

    public ChooseCandidateDelegate(
            ClusterResources resources,
            WalPositions positions,
            @Value("${orchestrator.failover.max-lag-bytes}") long maxLagBytes) {
        this.resources = resources;
        this.positions = positions;
        this.maxLagBytes = maxLagBytes;
        probes.allowCoreThreadTimeOut(true); // idle between failovers: no threads kept
    }

    @jakarta.annotation.PreDestroy
    void close() {
        probes.shutdownNow();
    }

    @Override
    public void execute(DelegateExecution execution) {
        MPDCluster cluster = ClusterSteps.cluster(resources, execution);
        if (execution.getVariable(FailoverSteps.OLD_RW) == null) {
            execution.setVariable(FailoverSteps.OLD_RW, ClusterSteps.rw(cluster).getInsId());
        }
        InstanceStatus oldRw = FailoverSteps.oldRw(cluster, execution);
        if (!FailoverSteps.planned(execution) && execution.getVariable(FailoverSteps.WRITES_STOPPED_AT) == null) {
            execution.setVariable(
                    FailoverSteps.WRITES_STOPPED_AT, System.currentTimeMillis()); // the RW was found dead just now
        }
        String forced = (String) execution.getVariable("forcedInsId");
        if (forced != null && !forced.isBlank()) {
            String insId = CandidateChoice.requireRo(cluster, forced.strip(), "the decision's forcedInsId")
                    .getInsId();
            execution.setVariable(FailoverSteps.CANDIDATE, insId);
            return;
        }
        String requested = (String) execution.getVariable("insId");
        if (requested != null && !requested.isBlank()) {
            CandidateChoice.requireRo(
                    cluster, requested, "the requested target (annotation switchRw or the REST call's insId)");
        }
        var ros = ClusterSteps.ros(cluster).stream().map(ro -> ask(cluster, ro)).toList();
        var rw = FailoverSteps.planned(execution) ? ask(cluster, oldRw) : null;
        var answers = ros.stream().map(CompletableFuture::join).toList();
        Number rwLastPosition = (Number) execution.getVariable("rwLastPosition");
        var choice = rw != null
                ? CandidateChoice.switchover(answers, rw.join(), maxLagBytes, requested)
                : CandidateChoice.failover(
                        answers,
                        DataDurability.of(cluster),
                        rwLastPosition == null ? -1 : rwLastPosition.longValue(),
                        maxLagBytes,
                        requested);
        execution.setVariable("candidateFacts", choice.facts());
        if (choice.candidate() == null) {
            throw new BpmnError(NO_PROMOTABLE_REPLICA, choice.refusal());
        }
        execution.setVariable(FailoverSteps.CANDIDATE, choice.candidate());
    }

    /** Asks on the probe threads; the answer is the position, or why there is none. */
    private CompletableFuture<Answer> ask(MPDCluster cluster, InstanceStatus instance) {
        String who = FailoverSteps.describe(instance);
        return CompletableFuture.supplyAsync(() -> positions.of(cluster, instance), probes)
                .handle((position, e) -> e == null
                        ? Answer.of(instance.getInsId(), who, position)
                        : Answer.failed(
                                instance.getInsId(), who, (e.getCause() == null ? e : e.getCause()).getMessage()));
    }
}
