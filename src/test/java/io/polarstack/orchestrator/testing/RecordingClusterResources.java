package io.polarstack.orchestrator.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The {@link ClusterResources} port for *ProcessTest: one cluster held in memory, the catalog from
 * deploy/samples, every applied object recorded, pods Ready (or not) as the test says. The real adapter is
 * tested against the real API server in KubernetesClusterResourcesIT.
 */
public class RecordingClusterResources implements ClusterResources {

    public MPDCluster cluster;
    public final Map<String, HasMetadata> applied = new HashMap<>();
    public final List<String> events = new ArrayList<>();
    public final Map<String, Map<String, String>> configMaps = new HashMap<>();
    public final List<Node> nodes = new ArrayList<>(List.of(
            new Node("node-a", "127.0.0.2", Map.of(), Map.of()),
            new Node("node-b", "127.0.0.3", Map.of(), Map.of()),
            new Node("node-c", "127.0.0.4", Map.of(), Map.of())));
    /** Node states a test sets ({@link #node}); a node not here is Ready with no taint. */
    public final Map<String, NodeState> nodeStates = new java.util.concurrent.ConcurrentHashMap<>();

    public boolean podsReady = true;
    private final Map<String, Node> podNodes = new java.util.concurrent.ConcurrentHashMap<>();
    public RuntimeException failApply;
    /**
     * Called first by every write (apply, deletePod, labelPod, updateStatus, updateSpec, annotate, reserveIds) with its
     * name, and by event with {@code "event <reason>"}: a test throws from it to make that call fail.
     */
    public java.util.function.Consumer<String> onCall = call -> {};

    private final AtomicLong nextId = new AtomicLong(1000);

    public RecordingClusterResources(String sample) {
        try {
            cluster = Serialization.unmarshal(Files.readString(Path.of("deploy/samples", sample)), MPDCluster.class);
            cluster.getMetadata().setUid("uid-" + sample);
            for (String catalog : List.of("catalog-version-image-open.yaml", "catalog-class-polar.o.x4.medium.yaml")) {
                List<HasMetadata> objects =
                        Serialization.unmarshal(Files.readString(Path.of("deploy/samples", catalog)));
                for (HasMetadata object : objects) {
                    configMaps.put(key(object), ((ConfigMap) object).getData());
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String key(HasMetadata object) {
        return object.getKind() + ":" + object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
    }

    public <T extends HasMetadata> List<T> appliedOf(Class<T> type) {
        return applied.values().stream()
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }

    @Override
    public String serverVersion() {
        return "v1.20.2";
    }

    @Override
    public boolean namespaceExists(String namespace) {
        return true;
    }

    @Override
    public List<Node> nodes(String labelSelector) {
        return List.copyOf(nodes);
    }

    @Override
    public Optional<Map<String, byte[]>> secretData(String namespace, String name) {
        var secret = (Secret) applied.get("Secret:" + namespace + "/" + name);
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, byte[]> data = new HashMap<>();
        secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return Optional.of(data);
    }

    @Override
    public Optional<Map<String, String>> configMapData(String namespace, String name) {
        var key = "ConfigMap:" + namespace + "/" + name;
        if (configMaps.containsKey(key)) {
            return Optional.of(configMaps.get(key));
        }
        return Optional.ofNullable((ConfigMap) applied.get(key)).map(ConfigMap::getData);
    }

    @Override
    public Optional<Map<String, String>> configMapAnnotations(String namespace, String name) {
        return Optional.ofNullable((ConfigMap) applied.get("ConfigMap:" + namespace + "/" + name))
                .map(c -> c.getMetadata().getAnnotations() == null
                        ? Map.<String, String>of()
                        : c.getMetadata().getAnnotations());
    }

    /** Other clusters the test pretends exist (for port allocation). */
    public final List<MPDCluster> others = new ArrayList<>();

    @Override
    public List<MPDCluster> clusters() {
        List<MPDCluster> all = new ArrayList<>(others);
        all.add(cluster);
        return all;
    }

    @Override
    public Optional<MPDCluster> cluster(String namespace, String name) {
        return Optional.ofNullable(cluster);
    }

    @Override
    public ApplyResult apply(HasMetadata object) {
        onCall.accept("apply");
        if (failApply != null) {
            throw failApply;
        }
        var before = applied.put(key(object), object);
        return before == null
                ? ApplyResult.CREATED
                : before.equals(object) ? ApplyResult.UNCHANGED : ApplyResult.UPDATED;
    }

    @Override
    public Optional<PodState> pod(String namespace, String name) {
        var pod = (Pod) applied.get("Pod:" + namespace + "/" + name);
        if (pod == null) {
            return Optional.empty();
        }
        // the node is fixed when the pod is first seen: a role label moved later does not move the pod
        var node = podNodes.computeIfAbsent(
                namespace + "/" + name,
                k -> pinnedNode(pod)
                        .orElse(nodes.get(
                                pod.getMetadata()
                                                .getLabels()
                                                .get("mpd.polardb.aliyun.com/role")
                                                .equals("rw")
                                        ? 0
                                        : 1)));
        return Optional.of(new PodState(
                name, node.name(), node.internalIp(), podsReady ? "Running" : "Pending", podsReady, false));
    }

    @Override
    public Optional<NodeState> node(String name) {
        return Optional.of(nodeStates.getOrDefault(name, new NodeState(name, true, false)));
    }

    /** The node a pod is pinned to by its required node affinity ({@code kubernetes.io/hostname In [node]}). */
    private Optional<Node> pinnedNode(Pod pod) {
        return pinnedNodeName(pod)
                .flatMap(name ->
                        nodes.stream().filter(n -> n.name().equals(name)).findFirst());
    }

    /** The name of the node {@code pod} is pinned to, if its required node affinity pins it. */
    public static Optional<String> pinnedNodeName(Pod pod) {
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null
                || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return Optional.empty();
        }
        return affinity
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .stream()
                .flatMap(t -> t.getMatchExpressions().stream())
                .filter(e -> "kubernetes.io/hostname".equals(e.getKey()) && "In".equals(e.getOperator()))
                .flatMap(e -> e.getValues().stream())
                .findFirst();
    }

    @Override
    public void labelPod(String namespace, String name, Map<String, String> labels) {
        onCall.accept("labelPod");
        var pod = (Pod) applied.get("Pod:" + namespace + "/" + name);
        if (pod == null) {
            throw new IllegalStateException("pod " + namespace + "/" + name + " does not exist");
        }
        pod.getMetadata().getLabels().putAll(labels);
    }

    @Override
    public void deletePod(String namespace, String name) {
        onCall.accept("deletePod");
        applied.remove("Pod:" + namespace + "/" + name);
        podNodes.remove(namespace + "/" + name);
    }

    @Override
    public MPDCluster updateStatus(String namespace, String name, Consumer<MPDClusterStatus> change) {
        onCall.accept("updateStatus");
        if (cluster.getStatus() == null) {
            cluster.setStatus(new MPDClusterStatus());
        }
        change.accept(cluster.getStatus());
        return cluster;
    }

    @Override
    public MPDCluster annotate(String namespace, String name, Map<String, String> set, Set<String> remove) {
        onCall.accept("annotate");
        Map<String, String> annotations = new HashMap<>(
                cluster.getMetadata().getAnnotations() == null
                        ? Map.of()
                        : cluster.getMetadata().getAnnotations());
        annotations.keySet().removeAll(remove);
        annotations.putAll(set);
        cluster.getMetadata().setAnnotations(annotations);
        return cluster;
    }

    @Override
    public MPDCluster updateSpec(String namespace, String name, Consumer<MPDClusterSpec> change) {
        onCall.accept("updateSpec");
        change.accept(cluster.getSpec());
        return cluster;
    }

    @Override
    public MPDCluster finalizer(String namespace, String name, boolean present) {
        cluster.getMetadata().setFinalizers(present ? List.of(MPDCluster.FINALIZER) : List.of());
        return cluster;
    }

    @Override
    public void event(MPDCluster cluster, String type, String reason, String message) {
        onCall.accept("event " + reason);
        events.add(type + " " + reason + ": " + message);
    }

    @Override
    public long reserveIds(String namespace, int count) {
        onCall.accept("reserveIds");
        return nextId.getAndAdd(count);
    }

    @Override
    public ClusterWatch watchClusters(Set<String> namespaces, Duration resync, Consumer<MPDCluster> onChange) {
        throw new UnsupportedOperationException("process tests do not watch");
    }

    @Override
    public AutoCloseable lead(
            String namespace,
            String name,
            String identity,
            Runnable started,
            Runnable stopped,
            Consumer<String> holder) {
        throw new UnsupportedOperationException("process tests do not elect");
    }
}
