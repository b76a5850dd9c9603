package io.polarstack.orchestrator.ports;

/** A storage operation failed for a technical reason; the message names the host, the command and what to check. */
public class StorageFabricException extends RuntimeException {

    public StorageFabricException(String message) {
        super(message);
    }

    public StorageFabricException(String message, Throwable cause) {
        super(message, cause);
    }
}
