package io.polarstack.orchestrator.adapters.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component
class KubernetesClusterResources implements ClusterResources {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesClusterResources.class);
    static final String FIELD_MANAGER = "polarstack-orchestrator";
    static final String COUNTERS = "polardb4mpd-controller";
    static final String NEXT_ID = "NextClusterScopeCustInsId";
    /**
     * Each round of writers racing on one object lets one through; with a few replicas and flows at once, a writer can
     * lose ten rounds in a row (seen with three writers on the id counter), so it tries far longer than that.
     */
    private static final int CONFLICT_ATTEMPTS = 50;

    private final KubernetesClient client;

    KubernetesClusterResources(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String serverVersion() {
        return client.getKubernetesVersion().getGitVersion();
    }

    @Override
    public boolean namespaceExists(String namespace) {
        return client.namespaces().withName(namespace).get() != null;
    }

    @Override
    public List<Node> nodes(String labelSelector) {
        var nodes = labelSelector == null || labelSelector.isBlank()
                ? client.nodes().list()
                : client.nodes().withLabelSelector(labelSelector).list();
        return nodes.getItems().stream()
                .map(n -> new Node(
                        n.getMetadata().getName(),
                        n.getStatus() == null || n.getStatus().getAddresses() == null
                                ? null
                                : n.getStatus().getAddresses().stream()
                                        .filter(a -> "InternalIP".equals(a.getType()))
                                        .map(NodeAddress::getAddress)
                                        .findFirst()
                                        .orElse(null),
                        n.getMetadata().getLabels(),
                        n.getMetadata().getAnnotations(),
                        ready(n)))
                .toList();
    }

    private static boolean ready(io.fabric8.kubernetes.api.model.Node node) {
        boolean cordoned =
                node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        return !cordoned
                && node.getStatus() != null
                && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public Optional<Map<String, byte[]>> secretData(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, byte[]> data = new HashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        return Optional.of(data);
    }

    @Override
    public Optional<Map<String, String>> configMapAnnotations(String namespace, String name) {
        ConfigMap configMap =
                client.configMaps().inNamespace(namespace).withName(name).get();
        return configMap == null
                ? Optional.empty()
                : Optional.of(
                        configMap.getMetadata().getAnnotations() == null
                                ? Map.of()
                                : Map.copyOf(configMap.getMetadata().getAnnotations()));
    }

    @Override
    public Optional<Map<String, String>> configMapData(String namespace, String name) {
        ConfigMap configMap =
                client.configMaps().inNamespace(namespace).withName(name).get();
        return configMap == null
                ? Optional.empty()
                : Optional.of(configMap.getData() == null ? Map.of() : Map.copyOf(configMap.getData()));
    }

    @Override
    public List<MPDCluster> clusters() {
        return client.resources(MPDCluster.class).inAnyNamespace().list().getItems();
    }

    @Override
    public Optional<MPDCluster> cluster(String namespace, String name) {
        return Optional.ofNullable(client.resources(MPDCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get());
    }

    @Override
    public ApplyResult apply(HasMetadata object) {
        HasMetadata existing = client.resource(object).get();
        // Server-side apply, creation included, so this manager owns the fields; applying the same object
        // again then leaves the resourceVersion alone.
        HasMetadata applied = client.resource(object)
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        if (existing == null) {
            return ApplyResult.CREATED;
        }
        return applied.getMetadata()
                        .getResourceVersion()
                        .equals(existing.getMetadata().getResourceVersion())
                ? ApplyResult.UNCHANGED
                : ApplyResult.UPDATED;
    }

    @Override
    public Optional<PodState> pod(String namespace, String name) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        if (pod == null) {
            return Optional.empty();
        }
        var status = pod.getStatus();
        boolean ready = status != null
                && status.getConditions() != null
                && status.getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return Optional.of(new PodState(
                name,
                pod.getSpec().getNodeName(),
                status == null ? null : status.getHostIP(),
                status == null ? null : status.getPhase(),
                ready,
                pod.getMetadata().getDeletionTimestamp() != null));
    }

    @Override
    public Optional<NodeState> node(String name) {
        var node = client.nodes().withName(name).get();
        if (node == null) {
            return Optional.empty();
        }
        boolean ready = node.getStatus() != null
                && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        boolean outOfService = node.getSpec() != null
                && node.getSpec().getTaints() != null
                && node.getSpec().getTaints().stream().anyMatch(t -> OUT_OF_SERVICE_TAINT.equals(t.getKey()));
        return Optional.of(new NodeState(name, ready, outOfService));
    }

    @Override
    public void deletePod(String namespace, String name) {
        client.pods().inNamespace(namespace).withName(name).delete();
    }

    @Override
    public void labelPod(String namespace, String name, Map<String, String> labels) {
        var pod = client.pods().inNamespace(namespace).withName(name);
        if (pod.get() == null) {
            throw new IllegalStateException("pod " + namespace + "/" + name + " does not exist");
        }
        pod.edit(p -> {
            p.getMetadata().getLabels().putAll(labels);
            return p;
        });
    }

    @Override
    public MPDCluster updateStatus(String namespace, String name, Consumer<MPDClusterStatus> change) {
        return withConflictRetry("status of " + namespace + "/" + name, () -> {
            MPDCluster cluster = existing(namespace, name);
            if (cluster.getStatus() == null) {
                cluster.setStatus(new MPDClusterStatus());
            }
            change.accept(cluster.getStatus());
            return client.resource(cluster).updateStatus();
        });
    }

    @Override
    public MPDCluster annotate(String namespace, String name, Map<String, String> set, Set<String> remove) {
        return withConflictRetry("annotations of " + namespace + "/" + name, () -> {
            MPDCluster cluster = existing(namespace, name);
            Map<String, String> annotations = cluster.getMetadata().getAnnotations() == null
                    ? new HashMap<>()
                    : new HashMap<>(cluster.getMetadata().getAnnotations());
            if (annotations.keySet().stream().noneMatch(remove::contains)
                    && annotations.entrySet().containsAll(set.entrySet())) {
                return cluster;
            }
            annotations.keySet().removeAll(remove);
            annotations.putAll(set);
            cluster.getMetadata().setAnnotations(annotations);
            return client.resource(cluster).update();
        });
    }

    @Override
    public MPDCluster updateSpec(String namespace, String name, Consumer<MPDClusterSpec> change) {
        return withConflictRetry("spec of " + namespace + "/" + name, () -> {
            MPDCluster cluster = existing(namespace, name);
            change.accept(cluster.getSpec());
            return client.resource(cluster).update();
        });
    }

    @Override
    public MPDCluster finalizer(String namespace, String name, boolean present) {
        return withConflictRetry("finalizer of " + namespace + "/" + name, () -> {
            MPDCluster cluster = existing(namespace, name);
            List<String> finalizers = cluster.getMetadata().getFinalizers() == null
                    ? new ArrayList<>()
                    : new ArrayList<>(cluster.getMetadata().getFinalizers());
            if (finalizers.contains(MPDCluster.FINALIZER) == present) {
                return cluster;
            }
            if (present) {
                finalizers.add(MPDCluster.FINALIZER);
            } else {
                finalizers.remove(MPDCluster.FINALIZER);
            }
            cluster.getMetadata().setFinalizers(finalizers);
            return client.resource(cluster).update();
        });
    }

    @Override
    public void event(MPDCluster cluster, String type, String reason, String message) {
        String now = Instant.now().toString();
        var meta = cluster.getMetadata();
        client.v1()
                .events()
                .inNamespace(meta.getNamespace())
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withGenerateName(meta.getName() + ".")
                        .withNamespace(meta.getNamespace())
                        .endMetadata()
                        .withInvolvedObject(new ObjectReferenceBuilder()
                                .withApiVersion(cluster.getApiVersion())
                                .withKind(cluster.getKind())
                                .withNamespace(meta.getNamespace())
                                .withName(meta.getName())
                                .withUid(meta.getUid())
                                .withResourceVersion(meta.getResourceVersion())
                                .build())
                        .withType(type)
                        .withReason(reason)
                        .withMessage(message)
                        .withCount(1)
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withNewSource()
                        .withComponent(FIELD_MANAGER)
                        .endSource()
                        .build())
                .create();
    }

    @Override
    public long reserveIds(String namespace, int count) {
        return withConflictRetry("id counter " + namespace + "/" + COUNTERS, () -> {
            var resource = client.configMaps().inNamespace(namespace).withName(COUNTERS);
            ConfigMap counters = resource.get();
            if (counters == null) { // a 409 here means another replica created it first: the retry reads it
                counters = resource.create(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(COUNTERS)
                        .withNamespace(namespace)
                        .endMetadata()
                        .addToData(NEXT_ID, "1000")
                        .build());
            }
            Map<String, String> data = counters.getData() == null ? new HashMap<>() : new HashMap<>(counters.getData());
            long first = Long.parseLong(data.getOrDefault(NEXT_ID, "1000"));
            data.put(NEXT_ID, Long.toString(first + count));
            counters.setData(data);
            client.resource(counters).update(); // optimistic: carries the resourceVersion just read
            return first;
        });
    }

    @Override
    public ClusterWatch watchClusters(Set<String> namespaces, Duration resync, Consumer<MPDCluster> onChange) {
        ResourceEventHandler<MPDCluster> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(MPDCluster cluster) {
                onChange.accept(cluster);
            }

            @Override
            public void onUpdate(MPDCluster before, MPDCluster after) {
                onChange.accept(after);
            }

            @Override
            public void onDelete(MPDCluster cluster, boolean finalStateUnknown) {
                // deletion is handled through the finalizer while the resource still exists
            }
        };
        long resyncMillis = resync.toMillis();
        List<SharedIndexInformer<MPDCluster>> informers = new ArrayList<>();
        if (namespaces.isEmpty()) {
            informers.add(retrying(
                    "all namespaces",
                    client.resources(MPDCluster.class).inAnyNamespace().runnableInformer(resyncMillis),
                    handler));
        } else {
            namespaces.forEach(ns -> informers.add(retrying(
                    "namespace " + ns,
                    client.resources(MPDCluster.class).inNamespace(ns).runnableInformer(resyncMillis),
                    handler)));
        }
        return new ClusterWatch() {
            @Override
            public Optional<List<MPDCluster>> clusters() {
                return informers.stream().allMatch(SharedIndexInformer::hasSynced)
                        ? Optional.of(informers.stream()
                                .flatMap(informer -> informer.getStore().list().stream())
                                .toList())
                        : Optional.empty();
            }

            @Override
            public void close() {
                informers.forEach(SharedIndexInformer::close);
            }
        };
    }

    /**
     * Starts the informer so that a failed list or watch (the CRD not yet applied, the API server gone) is retried with
     * fabric8's back-off (1 s doubling to 32 s) instead of ending the watch; its first successful list delivers every
     * existing cluster as an add, so clusters created meanwhile are seen then.
     */
    private static SharedIndexInformer<MPDCluster> retrying(
            String scope, SharedIndexInformer<MPDCluster> informer, ResourceEventHandler<MPDCluster> handler) {
        var lastFailure = new java.util.concurrent.atomic.AtomicReference<String>();
        informer.exceptionHandler((started, failure) -> {
            String text = String.valueOf(failure.getMessage());
            if (!text.equals(lastFailure.getAndSet(text))) { // once per kind of failure, not every retry
                LOG.warn("MPDCluster watch in {}: {}; retrying with back-off", scope, text);
            }
            return true;
        });
        informer.addEventHandler(handler);
        informer.start().whenComplete((v, failure) -> {
            if (failure == null) {
                LOG.info("MPDCluster watch in {}: listed, watching", scope);
            }
        });
        return informer;
    }

    @Override
    public AutoCloseable lead(
            String namespace,
            String name,
            String identity,
            Runnable started,
            Runnable stopped,
            Consumer<String> holder) {
        return LeaseCampaign.start(client, namespace, name, identity, started, stopped, holder);
    }

    private MPDCluster existing(String namespace, String name) {
        MPDCluster cluster = client.resources(MPDCluster.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        if (cluster == null) {
            throw new IllegalStateException("MPDCluster " + namespace + "/" + name + " no longer exists");
        }
        return cluster;
    }

    private static <T> T withConflictRetry(String what, java.util.function.Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == CONFLICT_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("conflict writing {} (attempt {}), reading it again", what, attempt);
            }
        }
    }
}
