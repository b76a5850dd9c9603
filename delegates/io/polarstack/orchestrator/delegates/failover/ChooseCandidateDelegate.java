package io.polarstack.orchestrator.delegates.failover;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;

/**
 * Task_ChooseCandidate: the RO to promote. Every RO is asked at once where its WAL stands (over SQL: fast); a running replica
 * is promotable, for a planned switchover only within {@code orchestrator.failover.max-lag-bytes} of the RW.
 * The requested RO ({@code insId}) wins when promotable; otherwise the one that replayed most. None promotable:
 * {@code Error_NoPromotableReplica} with the facts in {@code candidateFacts} for the person who decides.
 * A person's "promote this RO anyway" ({@code forcedInsId}) skips the checks. Reads only, so safe to repeat.
 */
@Component
public class ChooseCandidateDelegate implements JavaDelegate {

    static final String NO_PROMOTABLE_REPLICA = "Error_NoPromotableReplica";

    private final ClusterResources resources;
    private final WalPositions positions;
    private final long maxLagBytes;
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "failover-candidates");
        t.setDaemon(true);
        return t;
    });

    public ChooseCandidateDelegate(ClusterResources resources, WalPositions positions,
            @Value("${orchestrator.failover.max-lag-bytes}") long maxLagBytes) {
        this.resources = resources;
        this.positions = positions;
        this.maxLagBytes = maxLagBytes;
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
            execution.setVariable(FailoverSteps.WRITES_STOPPED_AT, System.currentTimeMillis());  // the RW was found dead just now
        }
        String forced = (String) execution.getVariable("forcedInsId");
        if (forced != null && !forced.isBlank()) {
            execution.setVariable(FailoverSteps.CANDIDATE, requireRo(cluster, forced.strip(), "the decision's promoteInsId").getInsId());
            return;
        }
        String requested = (String) execution.getVariable("insId");
        if (requested != null && !requested.isBlank()) {
            requireRo(cluster, requested, "the requested target (annotation switchRw or the REST call's insId)");
        }
        boolean planned = FailoverSteps.planned(execution);
        List<InstanceStatus> ros = ClusterSteps.ros(cluster);
        Map<String, CompletableFuture<WalPosition>> answers = new LinkedHashMap<>();
        for (InstanceStatus ro : ros) {
            answers.put(ro.getInsId(), CompletableFuture.supplyAsync(() -> positions.of(cluster, ro), probes));
        }
        Long rwPosition = null;
        String rwFact = "";
        if (planned) {
            try {
                WalPosition rw = positions.of(cluster, oldRw);
                rwPosition = rw.primary() ? rw.replayed() : null;
                rwFact = rw.primary() ? "" : "; the RW " + oldRw.getInsId() + " is not a primary";
            } catch (RuntimeException e) {
                rwFact = "; the RW " + oldRw.getInsId() + " does not answer (" + e.getMessage() + "), so lag is unknown";
            }
        }

        List<String> facts = new ArrayList<>();
        Map<String, WalPosition> promotable = new LinkedHashMap<>();
        for (InstanceStatus ro : ros) {
            String fact = FailoverSteps.describe(ro) + ": ";
            try {
                WalPosition p = answers.get(ro.getInsId()).join();
                if (p.primary()) {
                    fact += "runs as a primary, not a replica";
                } else if (planned && rwPosition == null) {
                    fact += "replayed " + p.replayed() + rwFact;
                } else if (planned && rwPosition - p.replayed() > maxLagBytes) {
                    fact += "lags " + (rwPosition - p.replayed()) + " bytes behind the RW (limit " + maxLagBytes + ")";
                } else {
                    fact += "promotable, replayed " + p.replayed() + (rwPosition == null ? "" : ", lag " + (rwPosition - p.replayed()) + " bytes");
                    promotable.put(ro.getInsId(), p);
                }
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                fact += "does not answer (" + cause.getMessage() + ")";
            }
            facts.add(fact);
        }
        String summary = ros.isEmpty() ? "the cluster has no RO" : String.join("; ", facts);
        execution.setVariable("candidateFacts", summary);

        String chosen;
        if (requested != null && !requested.isBlank()) {
            if (!promotable.containsKey(requested)) {
                throw new BpmnError(NO_PROMOTABLE_REPLICA, "the requested RO " + requested + " is not promotable: " + summary);
            }
            chosen = requested;
        } else {
            chosen = promotable.entrySet().stream()
                    .max(Comparator.comparingLong((Map.Entry<String, WalPosition> e) -> e.getValue().replayed())
                            .thenComparingLong(e -> Objects.requireNonNullElse(e.getValue().received(), 0L)))
                    .map(Map.Entry::getKey).orElseThrow(() -> new BpmnError(NO_PROMOTABLE_REPLICA, "no promotable RO: " + summary));
        }
        execution.setVariable(FailoverSteps.CANDIDATE, chosen);
    }

    private static InstanceStatus requireRo(MPDCluster cluster, String insId, String what) {
        var instances = cluster.getStatus().getDbInstanceStatus();
        InstanceStatus instance = instances.get(insId);
        if (instance == null || !"ro".equals(instance.getInsType())) {
            throw new IllegalArgumentException(what + " is " + insId + ", which is not an RO of MPDCluster " + cluster.businessKey()
                    + "; the ROs are " + ClusterSteps.ros(cluster).stream().map(InstanceStatus::getInsId).toList()
                    + ". Correct it (or remove the annotation switchRw), then retry");
        }
        return instance;
    }
}
