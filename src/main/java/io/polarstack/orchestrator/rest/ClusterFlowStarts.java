package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Starts a trigger's flow for a REST request, as the cluster's one flow: 404 for a cluster that does not exist, 409
 * for one with no RW yet or busy with another flow (named), else 202 with the process instance. Nothing is changed
 * by a refused request.
 */
@Component
class ClusterFlowStarts {

    record Started(String processInstanceId, String flow, Map<String, Object> variables) {}

    record Problem(String error) {}

    private final ClusterResources resources;
    private final ClusterOperator operator;
    private final ClusterFlows flows;

    ClusterFlowStarts(ClusterResources resources, ClusterOperator operator, ClusterFlows flows) {
        this.resources = resources;
        this.operator = operator;
        this.flows = flows;
    }

    ResponseEntity<?> start(String namespace, String name, Trigger trigger) {
        var cluster = resources.cluster(namespace, name).orElse(null);
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

    static ResponseEntity<Problem> problem(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new Problem(message));
    }
}
