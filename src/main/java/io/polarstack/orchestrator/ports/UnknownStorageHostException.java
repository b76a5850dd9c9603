package io.polarstack.orchestrator.ports;

/** The named node is not a storage host: no such Node, or it does not match the storage node selector. */
public class UnknownStorageHostException extends StorageFabricException {

    public UnknownStorageHostException(String message) {
        super(message);
    }
}
