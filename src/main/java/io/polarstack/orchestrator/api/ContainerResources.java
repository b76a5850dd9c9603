package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Extra resources of one container, from the class. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ContainerResources {

    @JsonProperty("cpu_cores")
    private String cpuCores;

    @JsonProperty("limit_memory")
    private String limitMemory;

    private String config;

    public String getCpuCores() {
        return cpuCores;
    }

    public void setCpuCores(String cpuCores) {
        this.cpuCores = cpuCores;
    }

    public String getLimitMemory() {
        return limitMemory;
    }

    public void setLimitMemory(String limitMemory) {
        this.limitMemory = limitMemory;
    }

    public String getConfig() {
        return config;
    }

    public void setConfig(String config) {
        this.config = config;
    }
}
