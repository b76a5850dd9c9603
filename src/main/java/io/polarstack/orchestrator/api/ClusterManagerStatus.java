package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Kept for compatibility. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterManagerStatus {

    private Integer workingPort;

    public Integer getWorkingPort() {
        return workingPort;
    }

    public void setWorkingPort(Integer workingPort) {
        this.workingPort = workingPort;
    }
}
