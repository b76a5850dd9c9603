package io.polarstack.orchestrator.rest;

import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.ports.StorageFabric.HostLuns;
import io.polarstack.orchestrator.ports.StorageFabricException;
import io.polarstack.orchestrator.ports.UnknownStorageHostException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What each storage host sees, so a user can pick the WWID ({@code volume_id}) for a share-mode cluster and check
 * that every host has it. Behind the same HTTP Basic login as the engine REST API.
 */
@RestController
@RequestMapping("/api/v1/storage")
class StorageController {

    private final StorageFabric storage;

    StorageController(StorageFabric storage) {
        this.storage = storage;
    }

    /** Every host's multipath LUNs; a host that cannot be asked is listed with its error. */
    @GetMapping("/luns")
    List<HostLuns> luns() {
        return storage.discoverAll();
    }

    @GetMapping("/hosts/{node}/luns")
    HostLuns hostLuns(@PathVariable String node) {
        return storage.discover(node);
    }

    record Problem(String error) {}

    @ExceptionHandler(UnknownStorageHostException.class)
    ResponseEntity<Problem> unknownHost(UnknownStorageHostException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(new Problem(e.getMessage()));
    }

    /** The host was reached but failed, or could not be reached: the gateway's problem, not the client's. */
    @ExceptionHandler(StorageFabricException.class)
    ResponseEntity<Problem> storageFailure(StorageFabricException e) {
        return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(new Problem(e.getMessage()));
    }
}
