package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * PolarDB Stack's parameter template, the ConfigMap {@code postgresql-1-0-mycnf-template-rwo} of the catalog
 * namespace (key {@code mycnf_template}: a YAML list of {name, default_value, is_user_changable, ...}). Without it
 * nothing is forced back: the allow list alone says what a user may set.
 */
@Component
public class FlushTemplate {

    public static final String CONFIG_MAP = "postgresql-1-0-mycnf-template-rwo";

    private final ClusterResources resources;
    private final ClusterCatalog catalog;

    public FlushTemplate(ClusterResources resources, ClusterCatalog catalog) {
        this.resources = resources;
        this.catalog = catalog;
    }

    public Map<String, FlushDecision.TemplateEntry> of(MPDCluster cluster) {
        String text = resources
                .configMapData(catalog.namespace(), CONFIG_MAP)
                .map(d -> d.get("mycnf_template"))
                .orElse(null);
        return text == null ? Map.of() : parse(text);
    }

    static Map<String, FlushDecision.TemplateEntry> parse(String text) {
        Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        Map<String, FlushDecision.TemplateEntry> template = new TreeMap<>();
        if (!(loaded instanceof List<?> list)) {
            throw new IllegalStateException("ConfigMap " + CONFIG_MAP + " key mycnf_template is not a YAML list");
        }
        for (Object item : list) {
            if (item instanceof Map<?, ?> entry && entry.get("name") != null) {
                Object deleted = entry.get("is_deleted");
                if (truthy(deleted)) {
                    continue;
                }
                Object changeable = entry.get("is_user_changable");
                template.put(
                        String.valueOf(entry.get("name")),
                        new FlushDecision.TemplateEntry(
                                String.valueOf(entry.get("default_value") == null ? "" : entry.get("default_value")),
                                changeable == null || truthy(changeable)));
            }
        }
        return template;
    }

    private static boolean truthy(Object value) {
        if (value == null) {
            return false;
        }
        String v = String.valueOf(value).trim();
        return v.equals("1") || v.equalsIgnoreCase("true");
    }
}
