package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A minor version catalog entry; empty name = the catalog's latest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionConfig {

    private String versionName;

    public String getVersionName() {
        return versionName;
    }

    public void setVersionName(String versionName) {
        this.versionName = versionName;
    }
}
