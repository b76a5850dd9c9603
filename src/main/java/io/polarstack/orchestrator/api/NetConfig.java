package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Network settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetConfig {

    /** The engine port of every instance. */
    private Integer engineStartPort;

    public Integer getEngineStartPort() {
        return engineStartPort;
    }

    public void setEngineStartPort(Integer engineStartPort) {
        this.engineStartPort = engineStartPort;
    }
}
