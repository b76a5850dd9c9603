package io.polarstack.orchestrator.agent;

import java.util.Map;

/** A failure the agent reports as JSON: a stable code and a message naming the object and the fix. */
public class AgentException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, Object> details;

    public AgentException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public AgentException(ErrorCode code, String message, Throwable cause) {
        this(code, message, Map.of(), cause);
    }

    public AgentException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    static AgentException invalid(String message) {
        return new AgentException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
