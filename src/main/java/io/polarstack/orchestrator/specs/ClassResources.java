package io.polarstack.orchestrator.specs;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.Map;

/**
 * An instance class's engine resources, read from its {@code ...-resource-rwo} ConfigMap
 * ({@code cpu_cores}, {@code cpu_cores_request}, {@code mem}, {@code mem_limit}, {@code mem_request} in bytes,
 * {@code hugepage_limit} in MiB, {@code max_conn}).
 */
public record ClassResources(
        String className,
        String cpuLimit,
        String cpuRequest,
        long memoryLimit,
        long memoryRequest,
        long hugepagesMiB,
        int maxConnections) {

    public static ClassResources fromConfigMap(String className, Map<String, String> data) {
        String cpu = required(className, data, "cpu_cores");
        long memory = Long.parseLong(required(className, data, "mem_limit"));
        return new ClassResources(
                className,
                cpu,
                data.getOrDefault("cpu_cores_request", cpu),
                memory,
                Long.parseLong(data.getOrDefault("mem_request", Long.toString(memory))),
                Long.parseLong(data.getOrDefault("hugepage_limit", "0")),
                Integer.parseInt(data.getOrDefault("max_conn", "100")));
    }

    private static String required(String className, Map<String, String> data, String key) {
        String value = data.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("class " + className + ": its resource ConfigMap has no '" + key + "'");
        }
        return value.trim();
    }

    ResourceRequirements engineRequirements() {
        var builder = new ResourceRequirementsBuilder()
                .addToLimits("cpu", new Quantity(cpuLimit))
                .addToLimits("memory", new Quantity(Long.toString(memoryLimit)))
                .addToRequests("cpu", new Quantity(cpuRequest))
                .addToRequests("memory", new Quantity(Long.toString(memoryRequest)));
        if (hugepagesMiB > 0) {
            builder.addToLimits("hugepages-2Mi", new Quantity(hugepagesMiB + "Mi"))
                    .addToRequests("hugepages-2Mi", new Quantity(hugepagesMiB + "Mi"));
        }
        return builder.build();
    }
}
