package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
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
    private final ClusterFlowStarts starts;

    RestartController(ClusterResources resources, ClusterFlowStarts starts) {
        this.resources = resources;
        this.starts = starts;
    }

    record ClusterRestartRequest(String rwBy) {}

    @PostMapping("/api/v1/clusters/{namespace}/{name}/restart")
    ResponseEntity<?> restartCluster(
            @PathVariable String namespace,
            @PathVariable String name,
            @RequestBody(required = false) ClusterRestartRequest body) {
        Map<String, Object> variables = new HashMap<>();
        String rwBy = body == null ? null : body.rwBy();
        if (rwBy != null && !rwBy.isBlank()) {
            if (!RestartPlan.SWITCHOVER.equals(rwBy) && !RestartPlan.IN_PLACE.equals(rwBy)) {
                return ClusterFlowStarts.problem(
                        HttpStatus.BAD_REQUEST,
                        "rwBy must be " + RestartPlan.IN_PLACE + " or " + RestartPlan.SWITCHOVER + ", not " + rwBy);
            }
            variables.put("rwSwitchover", RestartPlan.SWITCHOVER.equals(rwBy));
        }
        return starts.start(
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
                return ClusterFlowStarts.problem(HttpStatus.BAD_REQUEST, e.getMessage());
            }
        }
        return starts.start(
                namespace,
                name,
                new Trigger(4, ClusterState.RESTART_INS, FlowKeys.RESTART_INSTANCE, Map.of("insId", insId), false));
    }
}
