package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Map;

/** What the orchestrator reports. The compatible fields plus {@code flow} and {@code conditions}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MPDClusterStatus {

    /** Running, Creating, Interrupt, ... (PolarDB Stack's states). */
    private String clusterStatus;

    private Long observedGeneration;
    private String logicId;
    private String leaderInstanceId;
    private String leaderInstanceHost;
    private ClusterManagerStatus clusterManagerStatus;
    private Map<String, InstanceStatus> dbInstanceStatus;
    private FlowStatus flow;
    private List<Condition> conditions;
    /** The storage quota the last ExtendStorage made, as the spec wrote it (MB in share mode, a quantity in local). */
    private String storageQuota;

    public String getStorageQuota() {
        return storageQuota;
    }

    public void setStorageQuota(String storageQuota) {
        this.storageQuota = storageQuota;
    }

    public String getClusterStatus() {
        return clusterStatus;
    }

    public void setClusterStatus(String clusterStatus) {
        this.clusterStatus = clusterStatus;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getLogicId() {
        return logicId;
    }

    public void setLogicId(String logicId) {
        this.logicId = logicId;
    }

    public String getLeaderInstanceId() {
        return leaderInstanceId;
    }

    public void setLeaderInstanceId(String leaderInstanceId) {
        this.leaderInstanceId = leaderInstanceId;
    }

    public String getLeaderInstanceHost() {
        return leaderInstanceHost;
    }

    public void setLeaderInstanceHost(String leaderInstanceHost) {
        this.leaderInstanceHost = leaderInstanceHost;
    }

    public ClusterManagerStatus getClusterManagerStatus() {
        return clusterManagerStatus;
    }

    public void setClusterManagerStatus(ClusterManagerStatus clusterManagerStatus) {
        this.clusterManagerStatus = clusterManagerStatus;
    }

    public Map<String, InstanceStatus> getDbInstanceStatus() {
        return dbInstanceStatus;
    }

    public void setDbInstanceStatus(Map<String, InstanceStatus> dbInstanceStatus) {
        this.dbInstanceStatus = dbInstanceStatus;
    }

    public FlowStatus getFlow() {
        return flow;
    }

    public void setFlow(FlowStatus flow) {
        this.flow = flow;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
