package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.specs.ClassResources;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The shared catalog ConfigMaps PolarDB Stack kept in {@code kube-system}: minor versions (images) and
 * instance classes (resources and engine parameters). A missing entry is an error naming the ConfigMap.
 */
@Component
public class ClusterCatalog {

    static final String VERSION_PREFIX = "postgresql-1-0-minor-version-info-rwo-";
    static final String CLASS_PREFIX = "postgresql-1-0-level-";

    /** The images an instance runs. */
    public record Images(String version, String engine, String manager, String pfsd) {}

    private final ClusterResources resources;
    private final String namespace;

    public ClusterCatalog(ClusterResources resources, OrchestratorProperties properties) {
        this.resources = resources;
        this.namespace = properties.operator().catalogNamespace();
    }

    /** The images of {@code versionName}, or of the catalog's {@code latestVersion} when it is empty. */
    public Images images(MPDCluster cluster, String versionName) {
        String version = versionName;
        if (version == null || version.isBlank()) {
            version = require(cluster, VERSION_PREFIX + "root", "the version catalog root")
                    .get("latestVersion");
            if (version == null || version.isBlank()) {
                throw new IllegalStateException(where(cluster) + ": ConfigMap " + namespace + "/" + VERSION_PREFIX
                        + "root has no latestVersion; set it or name a version in spec.versionCfg.versionName");
            }
        }
        Map<String, String> data = require(cluster, VERSION_PREFIX + version, "version '" + version + "'");
        String engine = data.get("pgEngineImage");
        String manager = data.get("pgManagerImage");
        if (engine == null || manager == null) {
            throw new IllegalStateException(where(cluster) + ": ConfigMap " + namespace + "/" + VERSION_PREFIX + version
                    + " needs pgEngineImage and pgManagerImage");
        }
        return new Images(version, engine, manager, data.get("pfsdImage"));
    }

    public ClassResources classResources(MPDCluster cluster, String className) {
        return ClassResources.fromConfigMap(
                className,
                require(
                        cluster,
                        CLASS_PREFIX + className.replace('.', '-') + "-resource-rwo",
                        "class '" + className + "'"));
    }

    /** The class's engine parameters ({@code ...-config-rwo}); empty when the class sets none. */
    public Map<String, String> classParams(String className) {
        return resources
                .configMapData(namespace, CLASS_PREFIX + className.replace('.', '-') + "-config-rwo")
                .orElse(Map.of());
    }

    public String namespace() {
        return namespace;
    }

    private Map<String, String> require(MPDCluster cluster, String configMap, String what) {
        return resources
                .configMapData(namespace, configMap)
                .orElseThrow(() -> new IllegalStateException(where(cluster)
                        + ": " + what + " is not in the catalog (ConfigMap " + namespace + "/" + configMap
                        + " not found); create it (see deploy/samples/) and retry this step"));
    }

    private static String where(MPDCluster cluster) {
        return "MPDCluster " + cluster.businessKey();
    }
}
