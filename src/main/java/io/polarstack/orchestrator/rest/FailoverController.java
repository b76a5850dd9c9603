package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/clusters/{namespace}/{name}/failover}: a switchover (planned, the default) or a failover on
 * request, as the cluster's one flow. The request is checked first; a refused one changes nothing.
 */
@RestController
class FailoverController {

    static final int TRIGGER_ROW = -3;

    private final ClusterResources resources;
    private final ClusterOperator operator;
    private final ClusterFlows flows;

    FailoverController(ClusterResources resources, ClusterOperator operator, ClusterFlows flows) {
        this.resources = resources;
        this.operator = operator;
        this.flows = flows;
    }

    /** @param insId the RO to promote; null lets the flow choose */
    record FailoverRequest(Boolean planned, String insId) {}

    record Started(String processInstanceId, boolean planned, String insId) {}

    record Problem(String error) {}

    @PostMapping("/api/v1/clusters/{namespace}/{name}/failover")
    ResponseEntity<?> failover(
            @PathVariable String namespace,
            @PathVariable String name,
            @RequestBody(required = false) FailoverRequest body) {
        var request = body == null ? new FailoverRequest(null, null) : body;
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
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(new Started(started.get().getId(), planned, request.insId()));
    }

    private static ResponseEntity<Problem> problem(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new Problem(message));
    }
}
