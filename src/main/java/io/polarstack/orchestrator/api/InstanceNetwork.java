package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Where an instance listens. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceNetwork {

    private Integer workingPort;
    private String workingHostIP;

    public Integer getWorkingPort() {
        return workingPort;
    }

    public void setWorkingPort(Integer workingPort) {
        this.workingPort = workingPort;
    }

    public String getWorkingHostIP() {
        return workingHostIP;
    }

    public void setWorkingHostIP(String workingHostIP) {
        this.workingHostIP = workingHostIP;
    }
}
