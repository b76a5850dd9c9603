package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import io.polarstack.orchestrator.service.InstanceProbe;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/clusters/{namespace}/{name}/failover}: a switchover (planned, the default) or a failover on
 * request, as the cluster's one flow. The request is checked first; a refused one changes nothing. An unplanned
 * failover of a RW that answers its probe is refused unless forced: on a healthy cluster it throws away the writes an
 * RO has not replayed yet, where a switchover loses nothing.
 */
@RestController
class FailoverController {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverController.class);

    static final int TRIGGER_ROW = -3;

    private final ClusterResources resources;
    private final ClusterOperator operator;
    private final ClusterFlows flows;
    private final InstanceProbe probe;
    private final IdentityService identity;
    private final Duration probeTimeout;

    FailoverController(
            ClusterResources resources,
            ClusterOperator operator,
            ClusterFlows flows,
            InstanceProbe probe,
            IdentityService identity,
            OrchestratorProperties properties) {
        this.resources = resources;
        this.operator = operator;
        this.flows = flows;
        this.probe = probe;
        this.identity = identity;
        this.probeTimeout = properties.ha().probeTimeout();
    }

    /**
     * @param insId the RO to promote; null lets the flow choose
     * @param force fail over (unplanned) even though the RW answers
     */
    record FailoverRequest(Boolean planned, String insId, Boolean force) {}

    record Started(String processInstanceId, boolean planned, String insId) {}

    record Problem(String error) {}

    @PostMapping("/api/v1/clusters/{namespace}/{name}/failover")
    ResponseEntity<?> failover(
            @PathVariable String namespace,
            @PathVariable String name,
            @RequestBody(required = false) FailoverRequest body) {
        var request = body == null ? new FailoverRequest(null, null, null) : body;
        boolean planned = request.planned() == null || request.planned();
        var cluster = resources.cluster(namespace, name).orElse(null);
        if (cluster == null) {
            return problem(HttpStatus.NOT_FOUND, "MPDCluster " + namespace + "/" + name + " does not exist");
        }
        var status = cluster.getStatus();
        if (status == null || status.getLeaderInstanceId() == null || status.getDbInstanceStatus() == null) {
            return problem(
                    HttpStatus.CONFLICT, "MPDCluster " + namespace + "/" + name + " has no RW yet; wait until it runs");
        }
        if (request.insId() != null) {
            InstanceStatus target = status.getDbInstanceStatus().get(request.insId());
            if (!InstanceRole.ro(target)) {
                return problem(
                        HttpStatus.BAD_REQUEST,
                        "insId " + request.insId() + " is not an RO of MPDCluster " + namespace + "/" + name
                                + "; its ROs are "
                                + status.getDbInstanceStatus().values().stream()
                                        .filter(InstanceRole::ro)
                                        .map(InstanceStatus::getInsId)
                                        .sorted()
                                        .toList());
            }
        }
        String overridden = null;
        if (!planned) {
            String answering = rwAnswering(cluster, status.getDbInstanceStatus().get(status.getLeaderInstanceId()));
            if (answering != null && !Boolean.TRUE.equals(request.force())) {
                return problem(
                        HttpStatus.CONFLICT,
                        "MPDCluster " + namespace + "/" + name + ": " + answering
                                + "; an unplanned failover would lose the writes no RO has replayed yet; use"
                                + " \"planned\": true for a switchover, or \"force\": true to fail over anyway");
            }
            overridden = answering;
        }
        Map<String, Object> variables = new HashMap<>(Map.of("planned", planned));
        if (request.insId() != null) {
            variables.put("insId", request.insId());
        }
        var started = operator.start(
                cluster, new Trigger(TRIGGER_ROW, ClusterState.SWITCH_RW, FlowKeys.FAILOVER, variables, false));
        if (started.isEmpty()) {
            var active = flows.active(FlowKeys.businessKey(namespace, name));
            return problem(
                    HttpStatus.CONFLICT,
                    "MPDCluster " + namespace + "/" + name + " is busy with "
                            + active.map(p -> FlowKeys.ofDefinition(p.getProcessDefinitionId()) + " (process instance "
                                            + p.getId() + ")")
                                    .orElse("another flow")
                            + "; ask again when it has ended");
        }
        if (overridden != null) {
            var authentication = identity.getCurrentAuthentication();
            String message = "unplanned failover forced by "
                    + (authentication == null ? "an unknown user" : authentication.getUserId()) + " although "
                    + overridden + " (process instance " + started.get().getId() + ")";
            LOG.warn("MPDCluster {}/{}: {}", namespace, name, message);
            resources.event(cluster, "Warning", "ForcedFailover", message);
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(new Started(started.get().getId(), planned, request.insId()));
    }

    /** What says the RW is alive ("RW 1002 at 10.0.0.5:5432 answered its probe"); null when it does not answer. */
    private String rwAnswering(MPDCluster cluster, InstanceStatus rw) {
        if (rw == null) {
            return null;
        }
        try {
            var result = probe.probe(cluster, rw, probeTimeout);
            return result.outcome() == Outcome.OK
                    ? "RW " + rw.getInsId() + " at " + rw.getNetInfo().getWorkingHostIP() + ":"
                            + rw.getNetInfo().getWorkingPort() + " answered its probe"
                    : null;
        } catch (IllegalStateException e) {
            // Not knowing is no proof that it is down.
            return "RW " + rw.getInsId() + " could not be probed (" + e.getMessage() + ")";
        }
    }

    private static ResponseEntity<Problem> problem(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new Problem(message));
    }
}
