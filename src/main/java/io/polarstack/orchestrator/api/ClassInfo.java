package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An instance class: the key of the class ConfigMaps, with informational sizes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClassInfo {

    /** e.g. {@code polar.o.x4.medium} */
    private String className;

    private String cpu;
    private String memory;
    private String iops;

    public String getClassName() {
        return className;
    }

    public void setClassName(String className) {
        this.className = className;
    }

    public String getCpu() {
        return cpu;
    }

    public void setCpu(String cpu) {
        this.cpu = cpu;
    }

    public String getMemory() {
        return memory;
    }

    public void setMemory(String memory) {
        this.memory = memory;
    }

    public String getIops() {
        return iops;
    }

    public void setIops(String iops) {
        this.iops = iops;
    }
}
