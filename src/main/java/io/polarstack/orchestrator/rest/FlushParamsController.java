package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/clusters/{namespace}/{name}/flush-params}: FlushParams as the cluster's one flow, as the
 * annotation {@code flushParams=true} would start it, after the user edited {@code <cluster>-user-params}. What is
 * refused (a parameter off the allow list, unknown to the engine) the flow says on the cluster, with nothing written.
 */
@RestController
class FlushParamsController {

    static final int TRIGGER_ROW = -5;

    private final ClusterResources resources;
    private final ClusterOperator operator;
    private final ClusterFlows flows;

    FlushParamsController(ClusterResources resources, ClusterOperator operator, ClusterFlows flows) {
        this.resources = resources;
        this.operator = operator;
        this.flows = flows;
    }

    record Started(String processInstanceId) {}

    record Problem(String error) {}

    @PostMapping("/api/v1/clusters/{namespace}/{name}/flush-params")
    ResponseEntity<?> flush(@PathVariable String namespace, @PathVariable String name) {
        var cluster = resources.cluster(namespace, name).orElse(null);
        if (cluster == null) {
            return problem(HttpStatus.NOT_FOUND, "MPDCluster " + namespace + "/" + name + " does not exist");
        }
        if (cluster.getStatus() == null || cluster.getStatus().getLeaderInstanceId() == null) {
            return problem(
                    HttpStatus.CONFLICT, "MPDCluster " + namespace + "/" + name + " has no RW yet; wait until it runs");
        }
        var started = operator.start(
                cluster, new Trigger(TRIGGER_ROW, ClusterState.FLUSH_PARAMS, FlowKeys.FLUSH_PARAMS, Map.of(), false));
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
                .body(new Started(started.get().getId()));
    }

    private static ResponseEntity<Problem> problem(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new Problem(message));
    }
}
