package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.operator.Trigger;
import java.util.Map;
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

    private final ClusterFlowStarts starts;

    FlushParamsController(ClusterFlowStarts starts) {
        this.starts = starts;
    }

    @PostMapping("/api/v1/clusters/{namespace}/{name}/flush-params")
    ResponseEntity<?> flush(@PathVariable String namespace, @PathVariable String name) {
        return starts.start(
                namespace,
                name,
                new Trigger(TRIGGER_ROW, ClusterState.FLUSH_PARAMS, FlowKeys.FLUSH_PARAMS, Map.of(), false));
    }
}
