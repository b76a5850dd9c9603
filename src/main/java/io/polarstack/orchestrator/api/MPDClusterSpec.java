package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** What the user asks for. Field names are PolarDB Stack's. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MPDClusterSpec {

    private String operatorName;
    /** {@code share} or {@code local} */
    private String dbClusterType;

    private String dbType;
    private String description;
    /** Number of read-only instances. */
    private Integer followerNum;

    private ClassInfo classInfo;
    private ClassInfo classInfoModifyTo;
    private VersionConfig versionCfg;
    private VersionConfig versionCfgModifyTo;
    private NetConfig netCfg;
    private ShareStore shareStore;
    private LocalStore localStore;
    private Map<String, ContainerResources> resourceAdditional;
    private String localVolName;
    private Map<String, Object> dbProxyInfo;
    /** {@code required} (default), {@code preferred} or {@code async}: see {@link DataDurability}. */
    private String dataDurability;

    public String getDataDurability() {
        return dataDurability;
    }

    public void setDataDurability(String dataDurability) {
        this.dataDurability = dataDurability;
    }

    public String getOperatorName() {
        return operatorName;
    }

    public void setOperatorName(String operatorName) {
        this.operatorName = operatorName;
    }

    public String getDbClusterType() {
        return dbClusterType;
    }

    public void setDbClusterType(String dbClusterType) {
        this.dbClusterType = dbClusterType;
    }

    public String getDbType() {
        return dbType;
    }

    public void setDbType(String dbType) {
        this.dbType = dbType;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public Integer getFollowerNum() {
        return followerNum;
    }

    public void setFollowerNum(Integer followerNum) {
        this.followerNum = followerNum;
    }

    public ClassInfo getClassInfo() {
        return classInfo;
    }

    public void setClassInfo(ClassInfo classInfo) {
        this.classInfo = classInfo;
    }

    public ClassInfo getClassInfoModifyTo() {
        return classInfoModifyTo;
    }

    public void setClassInfoModifyTo(ClassInfo classInfoModifyTo) {
        this.classInfoModifyTo = classInfoModifyTo;
    }

    public VersionConfig getVersionCfg() {
        return versionCfg;
    }

    public void setVersionCfg(VersionConfig versionCfg) {
        this.versionCfg = versionCfg;
    }

    public VersionConfig getVersionCfgModifyTo() {
        return versionCfgModifyTo;
    }

    public void setVersionCfgModifyTo(VersionConfig versionCfgModifyTo) {
        this.versionCfgModifyTo = versionCfgModifyTo;
    }

    public NetConfig getNetCfg() {
        return netCfg;
    }

    public void setNetCfg(NetConfig netCfg) {
        this.netCfg = netCfg;
    }

    public ShareStore getShareStore() {
        return shareStore;
    }

    public void setShareStore(ShareStore shareStore) {
        this.shareStore = shareStore;
    }

    public LocalStore getLocalStore() {
        return localStore;
    }

    public void setLocalStore(LocalStore localStore) {
        this.localStore = localStore;
    }

    public Map<String, ContainerResources> getResourceAdditional() {
        return resourceAdditional;
    }

    public void setResourceAdditional(Map<String, ContainerResources> resourceAdditional) {
        this.resourceAdditional = resourceAdditional;
    }

    public String getLocalVolName() {
        return localVolName;
    }

    public void setLocalVolName(String localVolName) {
        this.localVolName = localVolName;
    }

    public Map<String, Object> getDbProxyInfo() {
        return dbProxyInfo;
    }

    public void setDbProxyInfo(Map<String, Object> dbProxyInfo) {
        this.dbProxyInfo = dbProxyInfo;
    }
}
