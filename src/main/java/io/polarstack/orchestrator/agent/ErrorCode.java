package io.polarstack.orchestrator.agent;

/**
 * The stable failure codes of the manager agent. The code and its exit status are the contract with
 * {@code ManagerClient}; the message is for people.
 */
public enum ErrorCode {
    INTERNAL(1),
    INVALID_ARGUMENT(2),
    ENGINE_NOT_RUNNING(3),
    TIMEOUT(4),
    INSTANCE_LOCKED(5),
    NOT_SUPPORTED(6),
    COMMAND_FAILED(7),
    SQL_FAILED(8),
    WRONG_ROLE(9),
    NOT_INSTALLED(10),
    /** pg_rewind could not make the instance a replica; the details say whether the data directory was changed. */
    REWIND_FAILED(11),
    /** pg_controldata does not say "shut down" (running, crashed, or stopping); its state is in the details. */
    NOT_SHUT_DOWN(12),
    /**
     * Another mutating action of this instance is running (its holder is in the details); nothing was done. Retry once
     * it has ended.
     */
    INSTANCE_BUSY(13),
    /** A background run ended without an answer (killed, or its container restarted). */
    RUN_LOST(14);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
