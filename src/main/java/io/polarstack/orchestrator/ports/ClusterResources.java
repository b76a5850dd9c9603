package io.polarstack.orchestrator.ports;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** The Kubernetes objects the orchestrator reads and writes. */
public interface ClusterResources {

    /** The API server's version, e.g. {@code v1.20.2}; fails when the API server cannot be reached. */
    String serverVersion();

    boolean namespaceExists(String namespace);

    /** Nodes matching a label selector ({@code key=value,key2}); empty selector = all nodes. */
    List<Node> nodes(String labelSelector);

    /** A Secret's data, decoded; empty when the Secret does not exist. */
    Optional<Map<String, byte[]>> secretData(String namespace, String name);

    /** A ConfigMap's data; empty when the ConfigMap does not exist. */
    Optional<Map<String, String>> configMapData(String namespace, String name);

    /** A ConfigMap's annotations; empty when the ConfigMap does not exist. */
    Optional<Map<String, String>> configMapAnnotations(String namespace, String name);

    /** Every MPDCluster in every namespace. */
    List<MPDCluster> clusters();

    /** The cluster as stored now; empty when it is gone. */
    Optional<MPDCluster> cluster(String namespace, String name);

    /** Creates the object, patches what differs, or leaves it as it is; says which. */
    ApplyResult apply(HasMetadata object);

    enum ApplyResult {
        CREATED,
        UPDATED,
        UNCHANGED
    }

    /** A pod's state; empty when there is no such pod. */
    Optional<PodState> pod(String namespace, String name);

    /** Deletes the pod if it exists; returns at once (deletion is watched with {@link #pod}). */
    void deletePod(String namespace, String name);

    /** Sets labels on an existing pod (a Service that selects by them follows at once); a missing pod is an error. */
    void labelPod(String namespace, String name, Map<String, String> labels);

    /**
     * @param ready     the pod's Ready condition is True
     * @param deleting  a deletion was requested
     */
    record PodState(String name, String nodeName, String hostIp, String phase, boolean ready, boolean deleting) {}

    /** The node's state as fencing needs it; empty when there is no such Node. */
    Optional<NodeState> node(String name);

    /** The taint of Kubernetes' non-graceful node shutdown: whoever sets it says the node is powered off. */
    String OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";

    /**
     * @param ready        the Ready condition is True: the kubelet answers (cordoning does not matter here)
     * @param outOfService the node carries {@link #OUT_OF_SERVICE_TAINT} (any value or effect)
     */
    record NodeState(String name, boolean ready, boolean outOfService) {}

    /** Applies {@code change} to the latest status and writes it; retried when someone else wrote first. */
    MPDCluster updateStatus(String namespace, String name, Consumer<MPDClusterStatus> change);

    /** Sets and removes annotations on the cluster (a null or missing cluster is an error). */
    MPDCluster annotate(String namespace, String name, Map<String, String> set, Set<String> remove);

    /** Applies {@code change} to the latest spec and writes it; retried when someone else wrote first. */
    MPDCluster updateSpec(String namespace, String name, Consumer<MPDClusterSpec> change);

    /** Adds or removes {@link MPDCluster#FINALIZER}. */
    MPDCluster finalizer(String namespace, String name, boolean present);

    /** Records a Kubernetes event on the cluster ({@code Normal} or {@code Warning}). */
    void event(MPDCluster cluster, String type, String reason, String message);

    /**
     * Reserves {@code count} consecutive ids from the counter ConfigMap {@code polardb4mpd-controller}
     * (key {@code NextClusterScopeCustInsId}, first 1000) in {@code namespace}; returns the first.
     */
    long reserveIds(String namespace, int count);

    /**
     * Calls {@code onChange} for every cluster added or changed (and on periodic resync) until closed. A watch that
     * cannot list (the CRD not there yet, the API server gone) keeps trying with back-off; once it lists, every
     * existing cluster comes as a change.
     */
    ClusterWatch watchClusters(Set<String> namespaces, java.time.Duration resync, Consumer<MPDCluster> onChange);

    /** A running watch; closing it stops it. */
    interface ClusterWatch extends AutoCloseable {
        /**
         * Every watched cluster as the watch last saw it, read from its cache (no API call; the objects are shared: never
         * change them); empty until it has listed.
         */
        Optional<List<MPDCluster>> clusters();
    }

    /**
     * Campaigns for the Lease {@code namespace/name} until closed: {@code started} runs when this replica starts to
     * lead, {@code stopped} when it stops (the Lease lost, not renewed in time, or given up on close); after a loss it
     * competes again, so the two may alternate. {@code holder} gets each new holder's identity. The callbacks run on
     * the election's thread: keep them short. Closing gives the lease up.
     */
    AutoCloseable lead(
            String namespace,
            String name,
            String identity,
            Runnable started,
            Runnable stopped,
            Consumer<String> holder);

    /** {@link #lead(String, String, String, Runnable, Runnable, Consumer)}, not told who holds the lease. */
    default AutoCloseable lead(String namespace, String name, String identity, Runnable started, Runnable stopped) {
        return lead(namespace, name, identity, started, stopped, holder -> {});
    }

    /**
     * A Node as the orchestrator needs it; {@code internalIp} is null when the Node reports none. {@code ready}: its
     * Ready condition is True and it is not cordoned, so a new pod pinned to it can start.
     */
    record Node(
            String name,
            String internalIp,
            Map<String, String> labels,
            Map<String, String> annotations,
            boolean ready) {
        public Node {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }

        public Node(String name, String internalIp, Map<String, String> labels, Map<String, String> annotations) {
            this(name, internalIp, labels, annotations, true);
        }
    }
}
