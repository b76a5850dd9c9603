package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.Trigger;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The locks on request. {@code POST|DELETE /api/v1/clusters/{namespace}/{name}/disk-full-lock}: LockInstance or
 * UnlockInstance as the cluster's one flow (409 while another runs). {@code POST|DELETE .../expiry-lock}: sets or
 * clears the annotation {@code expired}, which is the expiry lock's state (the trigger table starts ExpiryLock or
 * ExpiryUnlock from it), so a request and an annotation never disagree.
 */
@RestController
class LockController {

    static final int TRIGGER_ROW = -5;

    private final ClusterResources resources;
    private final ClusterOperator operator;
    private final ClusterFlows flows;

    LockController(ClusterResources resources, ClusterOperator operator, ClusterFlows flows) {
        this.resources = resources;
        this.operator = operator;
        this.flows = flows;
    }

    record Started(String processInstanceId, String flow) {}

    record Requested(String annotation, String value) {}

    record Problem(String error) {}

    @PostMapping("/api/v1/clusters/{namespace}/{name}/disk-full-lock")
    ResponseEntity<?> lock(@PathVariable String namespace, @PathVariable String name) {
        return diskFull(namespace, name, true);
    }

    @DeleteMapping("/api/v1/clusters/{namespace}/{name}/disk-full-lock")
    ResponseEntity<?> unlock(@PathVariable String namespace, @PathVariable String name) {
        return diskFull(namespace, name, false);
    }

    @PostMapping("/api/v1/clusters/{namespace}/{name}/expiry-lock")
    ResponseEntity<?> expire(@PathVariable String namespace, @PathVariable String name) {
        return expiry(namespace, name, true);
    }

    @DeleteMapping("/api/v1/clusters/{namespace}/{name}/expiry-lock")
    ResponseEntity<?> renew(@PathVariable String namespace, @PathVariable String name) {
        return expiry(namespace, name, false);
    }

    private ResponseEntity<?> diskFull(String namespace, String name, boolean lock) {
        var cluster = resources.cluster(namespace, name).orElse(null);
        if (cluster == null) {
            return problem(HttpStatus.NOT_FOUND, "MPDCluster " + namespace + "/" + name + " does not exist");
        }
        if (cluster.getStatus() == null
                || !ClusterState.RUNNING.equals(cluster.getStatus().getClusterStatus())) {
            return problem(
                    HttpStatus.CONFLICT,
                    "MPDCluster " + namespace + "/" + name + " is not Running; ask again once it is");
        }
        String flow = lock ? FlowKeys.LOCK_INSTANCE : FlowKeys.UNLOCK_INSTANCE;
        var started = operator.start(
                cluster,
                new Trigger(
                        TRIGGER_ROW,
                        lock ? ClusterState.LOCK_INSTANCE : ClusterState.UNLOCK_INSTANCE,
                        flow,
                        lock
                                ? Map.of(
                                        "lockReason",
                                        Conditions.LOCKED_BY_REQUEST,
                                        "lockMessage",
                                        "locked by request (REST)")
                                : Map.of("lockMessage", "unlocked by request (REST)"),
                        false));
        if (started.isEmpty()) {
            var active = flows.active(FlowKeys.businessKey(namespace, name));
            return problem(
                    HttpStatus.CONFLICT,
                    "MPDCluster " + namespace + "/" + name + " is busy with "
                            + active.map(p -> FlowKeys.ofDefinition(p.getProcessDefinitionId()))
                                    .orElse("another flow")
                            + "; ask again when it has ended");
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(new Started(started.get().getId(), flow));
    }

    private ResponseEntity<?> expiry(String namespace, String name, boolean expired) {
        if (resources.cluster(namespace, name).isEmpty()) {
            return problem(HttpStatus.NOT_FOUND, "MPDCluster " + namespace + "/" + name + " does not exist");
        }
        String value = String.valueOf(expired);
        resources.annotate(namespace, name, Map.of(Annotations.EXPIRED, value), Set.of());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Requested(Annotations.EXPIRED, value));
    }

    private static ResponseEntity<Problem> problem(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new Problem(message));
    }
}
