package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The engine phase of an instance. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceState {

    /** PENDING, STARTING, RUNNING, STOPPING, STOPPED or FAILED */
    private String state;

    private String reason;
    private String startAt;

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getStartAt() {
        return startAt;
    }

    public void setStartAt(String startAt) {
        this.startAt = startAt;
    }
}
