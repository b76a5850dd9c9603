package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.RestartPlan;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/clusters/{namespace}/{name}/restart} (RestartCluster; body {@code {"rwBy": "switchover"}} or
 * {@code "inPlace"}, optional: the annotation restartRwBy decides otherwise) and
 * {@code POST /api/v1/clusters/{namespace}/{name}/instances/{insId}/restart} (RestartInstance), each as the cluster's
 * one flow, as the annotations restartCluster and restartIns start them. A refused request changes nothing.
 */
@RestController
class RestartController {

    private final ClusterResources resources;
    private final ClusterOperator operator;
    private final ClusterFlows flows;

    RestartController(ClusterResources resources, ClusterOperator operator, ClusterFlows flows) {
        this.resources = resources;
        this.operator = operator;
        this.flows = flows;
    }

    record ClusterRestartRequest(String rwBy) {}

    record Started(String processInstanceId, String flow, Map<String, Object> variables) {}

    record Problem(String error) {}

    @PostMapping("/api/v1/clusters/{namespace}/{name}/restart")
    ResponseEntity<?> restartCluster(
            @PathVariable String namespace,
            @PathVariable String name,
            @RequestBody(required = false) ClusterRestartRequest body) {
        Map<String, Object> variables = new HashMap<>();
        String rwBy = body == null ? null : body.rwBy();
        if (rwBy != null && !rwBy.isBlank()) {
            if (!RestartPlan.SWITCHOVER.equals(rwBy) && !RestartPlan.IN_PLACE.equals(rwBy)) {
                return problem(
                        HttpStatus.BAD_REQUEST,
                        "rwBy must be " + RestartPlan.IN_PLACE + " or " + RestartPlan.SWITCHOVER + ", not " + rwBy);
            }
            variables.put("rwSwitchover", RestartPlan.SWITCHOVER.equals(rwBy));
        }
        return start(
                namespace,
                name,
                new Trigger(3, ClusterState.RESTART_CLUSTER, FlowKeys.RESTART_CLUSTER, variables, false));
    }

    @PostMapping("/api/v1/clusters/{namespace}/{name}/instances/{insId}/restart")
    ResponseEntity<?> restartInstance(
            @PathVariable String namespace, @PathVariable String name, @PathVariable String insId) {
        var cluster = resources.cluster(namespace, name).orElse(null);
        if (cluster != null
                && cluster.getStatus() != null
                && cluster.getStatus().getDbInstanceStatus() != null) {
            try {
                RestartPlan.instance(cluster, insId);
            } catch (IllegalArgumentException e) {
                return problem(HttpStatus.BAD_REQUEST, e.getMessage());
            }
        }
        return start(
                namespace,
                name,
                new Trigger(4, ClusterState.RESTART_INS, FlowKeys.RESTART_INSTANCE, Map.of("insId", insId), false));
    }

    private ResponseEntity<?> start(String namespace, String name, Trigger trigger) {
        MPDCluster cluster = resources.cluster(namespace, name).orElse(null);
        if (cluster == null) {
            return problem(HttpStatus.NOT_FOUND, "MPDCluster " + namespace + "/" + name + " does not exist");
        }
        if (cluster.getStatus() == null || cluster.getStatus().getLeaderInstanceId() == null) {
            return problem(
                    HttpStatus.CONFLICT, "MPDCluster " + namespace + "/" + name + " has no RW yet; wait until it runs");
        }
        var started = operator.start(cluster, trigger);
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
                .body(new Started(started.get().getId(), trigger.processKey(), trigger.variables()));
    }

    private static ResponseEntity<Problem> problem(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new Problem(message));
    }
}
