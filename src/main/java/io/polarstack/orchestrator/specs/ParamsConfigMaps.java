package io.polarstack.orchestrator.specs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.polarstack.orchestrator.agent.EngineParameters;
import io.polarstack.orchestrator.api.MPDCluster;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code <cluster>-user-params} (what the user may edit, then flush) and {@code <cluster>-running-params}
 * (what the engines run with): one key per parameter, the value a JSON object
 * {@code {name, value, updateTime, inoperative_value}} as PolarDB Stack wrote it.
 */
public final class ParamsConfigMaps {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParamsConfigMaps() {}

    public static String userParamsName(MPDCluster cluster) {
        return cluster.getMetadata().getName() + "-user-params";
    }

    public static String runningParamsName(MPDCluster cluster) {
        return cluster.getMetadata().getName() + "-running-params";
    }

    /** Both params ConfigMaps of a new cluster, with the class's {@code params}. */
    public static List<ConfigMap> buildAll(MPDCluster cluster, Map<String, String> params, Instant now) {
        return List.of(
                build(cluster, userParamsName(cluster), params, now),
                build(cluster, runningParamsName(cluster), params, now));
    }

    public static ConfigMap build(MPDCluster cluster, String name, Map<String, String> params, Instant now) {
        Map<String, String> data = new TreeMap<>();
        params.forEach((key, value) -> data.put(key, entry(key, value, now)));
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Map.of(Labels.CLUSTER, cluster.getMetadata().getName()))
                .withOwnerReferences(InstancePods.owner(cluster))
                .endMetadata()
                .withData(data)
                .build();
    }

    /** The parameter values of a params ConfigMap's data (each key's entry JSON, its {@code value}). */
    public static Map<String, String> values(String configMap, Map<String, String> data) {
        Map<String, String> values = new TreeMap<>();
        data.forEach((name, entry) -> {
            try {
                values.put(name, JSON.readTree(entry).path("value").asText());
            } catch (IOException e) {
                throw new IllegalStateException(
                        "ConfigMap " + configMap + " key " + name + " is not a parameter entry: " + e.getMessage(), e);
            }
        });
        return values;
    }

    /** When each entry of a params ConfigMap was last written ({@code updateTime}); null when it has none. */
    public static Map<String, Instant> updateTimes(String configMap, Map<String, String> data) {
        Map<String, Instant> times = new TreeMap<>();
        data.forEach((name, entry) -> {
            try {
                String time = JSON.readTree(entry).path("updateTime").asText("");
                times.put(name, time.isEmpty() ? null : Instant.parse(time));
            } catch (IOException | java.time.format.DateTimeParseException e) {
                throw new IllegalStateException(
                        "ConfigMap " + configMap + " key " + name + " is not a parameter entry: " + e.getMessage(), e);
            }
        });
        return times;
    }

    /**
     * {@code params} when every name is on {@code flavour}'s allow list ({@link EngineParameters}); otherwise an
     * IllegalArgumentException naming each refused parameter, {@code source} (a ConfigMap, a class) and where the
     * list is documented. Checked before anything is written, so bad input changes nothing.
     */
    public static Map<String, String> requireAllowed(String flavour, String source, Map<String, String> params) {
        var refused = EngineParameters.refused(flavour, params.keySet());
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(EngineParameters.refusal(flavour, refused, source));
        }
        return params;
    }

    /** The names of {@code names} off {@code flavour}'s allow list, sorted ({@link EngineParameters#refused}). */
    public static List<String> refused(String flavour, java.util.Collection<String> names) {
        return EngineParameters.refused(flavour, names);
    }

    /** The refusal of {@code refused} ({@link EngineParameters#refusal}). */
    public static String refusal(String flavour, List<String> refused, String source) {
        return EngineParameters.refusal(flavour, refused, source);
    }

    /** The ConfigMap {@code name} with its {@code data} kept and the entries of {@code changes} written anew. */
    public static ConfigMap update(
            MPDCluster cluster, String name, Map<String, String> data, Map<String, String> changes, Instant now) {
        Map<String, String> updated = new TreeMap<>(data);
        changes.forEach((key, value) -> updated.put(key, entry(key, value, now)));
        var configMap = build(cluster, name, Map.of(), now);
        configMap.setData(updated);
        return configMap;
    }

    private static String entry(String name, String value, Instant now) {
        try {
            return JSON.writeValueAsString(
                    Map.of("name", name, "value", value, "updateTime", now.toString(), "inoperative_value", ""));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
