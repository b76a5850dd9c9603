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
 * {@code POST /api/v1/clusters/{namespace}/{name}/extend-storage}: ExtendStorage as the cluster's one flow, as the
 * annotation {@code extendStorage=true} starts it, growing the storage to the spec's quota. A quota smaller than the
 * recorded one, or malformed, the flow refuses on the cluster with nothing changed.
 */
@RestController
class ExtendStorageController {

    private final ClusterFlowStarts starts;

    ExtendStorageController(ClusterFlowStarts starts) {
        this.starts = starts;
    }

    @PostMapping("/api/v1/clusters/{namespace}/{name}/extend-storage")
    ResponseEntity<?> extend(@PathVariable String namespace, @PathVariable String name) {
        return starts.start(
                namespace,
                name,
                new Trigger(13, ClusterState.EXTEND_STORAGE, FlowKeys.EXTEND_STORAGE, Map.of(), false));
    }
}
