package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One instance: its stable slot ({@code physicalInsId}) and its current pod ({@code insId}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceStatus {

    private String physicalInsId;
    private String insId;
    private String insName;
    private String podName;
    private String podNameSpace;
    private String nodeName;
    private String hostClientIP;
    private String polarFsHostId;
    private Boolean installed;
    /** {@code rw}, {@code ro} or {@code tempro} */
    private String insType;
    /** On a new instance that takes over a slot: the instance it replaces, until that one is removed. */
    private String replacesInsId;

    private String role;
    private String status;
    private InstanceNetwork netInfo;
    private InstanceState currentState;
    private InstanceState lastState;

    public String getPhysicalInsId() {
        return physicalInsId;
    }

    public void setPhysicalInsId(String physicalInsId) {
        this.physicalInsId = physicalInsId;
    }

    public String getInsId() {
        return insId;
    }

    public void setInsId(String insId) {
        this.insId = insId;
    }

    public String getInsName() {
        return insName;
    }

    public void setInsName(String insName) {
        this.insName = insName;
    }

    public String getPodName() {
        return podName;
    }

    public void setPodName(String podName) {
        this.podName = podName;
    }

    public String getPodNameSpace() {
        return podNameSpace;
    }

    public void setPodNameSpace(String podNameSpace) {
        this.podNameSpace = podNameSpace;
    }

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    public String getHostClientIP() {
        return hostClientIP;
    }

    public void setHostClientIP(String hostClientIP) {
        this.hostClientIP = hostClientIP;
    }

    public String getPolarFsHostId() {
        return polarFsHostId;
    }

    public void setPolarFsHostId(String polarFsHostId) {
        this.polarFsHostId = polarFsHostId;
    }

    public Boolean getInstalled() {
        return installed;
    }

    public void setInstalled(Boolean installed) {
        this.installed = installed;
    }

    public String getInsType() {
        return insType;
    }

    public void setInsType(String insType) {
        this.insType = insType;
    }

    public String getReplacesInsId() {
        return replacesInsId;
    }

    public void setReplacesInsId(String replacesInsId) {
        this.replacesInsId = replacesInsId;
    }

    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public InstanceNetwork getNetInfo() {
        return netInfo;
    }

    public void setNetInfo(InstanceNetwork netInfo) {
        this.netInfo = netInfo;
    }

    public InstanceState getCurrentState() {
        return currentState;
    }

    public void setCurrentState(InstanceState currentState) {
        this.currentState = currentState;
    }

    public InstanceState getLastState() {
        return lastState;
    }

    public void setLastState(InstanceState lastState) {
        this.lastState = lastState;
    }
}
