package io.polarstack.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** local mode: the volume each instance gets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalStore {

    private String storageClassName;
    /** e.g. {@code 10Gi} */
    private String size;

    public String getStorageClassName() {
        return storageClassName;
    }

    public void setStorageClassName(String storageClassName) {
        this.storageClassName = storageClassName;
    }

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }
}
