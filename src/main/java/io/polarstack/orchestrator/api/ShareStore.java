package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** share mode: the one LUN all instances use. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShareStore {

    /** {@code pvc} or {@code wwid} */
    private String drive;

    private String sharePvcName;
    private String sharePvcNamespace;
    /** WWID of the multipath LUN. */
    private String volumeId;

    private String volumeType;
    /** Usable size in MB. */
    private String diskQuota;

    public String getDrive() {
        return drive;
    }

    public void setDrive(String drive) {
        this.drive = drive;
    }

    public String getSharePvcName() {
        return sharePvcName;
    }

    public void setSharePvcName(String sharePvcName) {
        this.sharePvcName = sharePvcName;
    }

    public String getSharePvcNamespace() {
        return sharePvcNamespace;
    }

    public void setSharePvcNamespace(String sharePvcNamespace) {
        this.sharePvcNamespace = sharePvcNamespace;
    }

    public String getVolumeId() {
        return volumeId;
    }

    public void setVolumeId(String volumeId) {
        this.volumeId = volumeId;
    }

    public String getVolumeType() {
        return volumeType;
    }

    public void setVolumeType(String volumeType) {
        this.volumeType = volumeType;
    }

    public String getDiskQuota() {
        return diskQuota;
    }

    public void setDiskQuota(String diskQuota) {
        this.diskQuota = diskQuota;
    }
}
