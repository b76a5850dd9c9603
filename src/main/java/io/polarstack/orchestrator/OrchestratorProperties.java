package io.polarstack.orchestrator;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * Settings under {@code orchestrator.*}; every one is listed in README's configuration table.
 *
 * @param retryProfiles failed-job retry cycle per profile name, e.g. {@code k8s: R5/PT5S}
 * @param admin         the engine user created at first start
 * @param kubernetes    how to reach the Kubernetes API
 * @param storage       how to reach the storage hosts over SSH
 * @param operator      which clusters this orchestrator watches and how replicas elect the watcher
 * @param ha            the HA monitor: how often engines are probed and when a failed RW is failed over
 */
@ConfigurationProperties("orchestrator")
public record OrchestratorProperties(
        Map<String, String> retryProfiles,
        Admin admin,
        Kubernetes kubernetes,
        Storage storage,
        Operator operator,
        Ha ha) {

    @ConstructorBinding
    public OrchestratorProperties {
        retryProfiles = retryProfiles == null ? Map.of() : Map.copyOf(retryProfiles);
        admin = admin == null ? new Admin(null, null, null) : admin;
        kubernetes = kubernetes == null ? new Kubernetes(null) : kubernetes;
        storage = storage == null
                ? new Storage(null, null, null, false, null, null, 0, false, null, null, null, 0)
                : storage;
        operator = operator == null ? new Operator(true, null, null, null, null, null, null, false, 0) : operator;
        ha = ha == null ? new Ha(null, null, null, null, null, null) : ha;
    }

    /** Everything but the HA monitor, which keeps its defaults (for tests that build settings by hand). */
    public OrchestratorProperties(
            Map<String, String> retryProfiles, Admin admin, Kubernetes kubernetes, Storage storage, Operator operator) {
        this(retryProfiles, admin, kubernetes, storage, operator, null);
    }

    /**
     * @param enabled         probe engines and fail over on the leader (off: failover only when asked for)
     * @param probeInterval   how often every RW and RO is probed
     * @param probeTimeout    how long one probe may take before it counts as a timeout
     * @param failoverAfter   how long a RW must keep failing by timeouts or errors (not refusals) before it is failed
     *                        over, and an RO before it is marked failed
     * @param refreshInterval how often the list of clusters, their instances and credentials is read again
     * @param startupGrace    how long a RW may keep saying it is starting up (SQLState 57P03, e.g. crash recovery
     *                        after a backend crashed) before it is failed over; zero fails it over at once
     */
    public record Ha(
            Boolean enabled,
            Duration probeInterval,
            Duration probeTimeout,
            Duration failoverAfter,
            Duration refreshInterval,
            Duration startupGrace) {
        public Ha {
            enabled = enabled == null || enabled;
            probeInterval = positive(probeInterval, Duration.ofSeconds(1));
            probeTimeout = positive(probeTimeout, Duration.ofSeconds(1));
            failoverAfter = failoverAfter == null || failoverAfter.isNegative() ? Duration.ofSeconds(5) : failoverAfter;
            refreshInterval = positive(refreshInterval, Duration.ofSeconds(2));
            startupGrace = startupGrace == null || startupGrace.isNegative() ? Duration.ofSeconds(20) : startupGrace;
        }

        private static Duration positive(Duration value, Duration otherwise) {
            return value == null || value.isZero() || value.isNegative() ? otherwise : value;
        }
    }

    /**
     * @param enabled          watch MPDClusters and start their flows (off: flows run only when started by hand)
     * @param name             handle only clusters whose {@code spec.operatorName} is this (empty spec = {@code polar-mpd})
     * @param namespaces       watch these namespaces; empty = all
     * @param leaseNamespace   where the leader-election Lease lives
     * @param identity         this replica's name in the Lease; default the host name
     * @param catalogNamespace where the version catalog, class and counter ConfigMaps live
     * @param resync           how often every cluster is looked at again even without a change
     * @param sharedPortSpace  every instance of every cluster gets its own port, as if all nodes were one host (labs
     *                         whose engines cannot bind a per-node address); off: each instance uses the cluster's
     *                         engineStartPort on its own node, as PolarDB Stack did
     */
    public record Operator(
            boolean enabled,
            String name,
            java.util.List<String> namespaces,
            String leaseNamespace,
            String identity,
            String catalogNamespace,
            Duration resync,
            boolean sharedPortSpace,
            int lookThreads) {
        public Operator {
            name = name == null || name.isBlank() ? "polar-mpd" : name;
            namespaces = namespaces == null ? java.util.List.of() : java.util.List.copyOf(namespaces);
            leaseNamespace = leaseNamespace == null || leaseNamespace.isBlank() ? "default" : leaseNamespace;
            identity = identity == null || identity.isBlank() ? hostName() : identity;
            catalogNamespace =
                    catalogNamespace == null || catalogNamespace.isBlank() ? "kube-system" : catalogNamespace;
            resync = resync == null ? Duration.ofMinutes(1) : resync;
            lookThreads = lookThreads < 1 ? 4 : lookThreads;
        }

        private static String hostName() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName() + "-"
                        + ProcessHandle.current().pid();
            } catch (java.net.UnknownHostException e) {
                return "orchestrator-" + ProcessHandle.current().pid();
            }
        }
    }

    /**
     * @param id           user id, default {@code admin}
     * @param password     password (also from env ORCHESTRATOR_ADMIN_PASSWORD)
     * @param passwordFile file holding the password, e.g. a mounted Secret
     */
    public record Admin(String id, String password, String passwordFile) {
        public Admin {
            id = id == null || id.isBlank() ? "admin" : id;
        }
    }

    /** @param kubeconfig path of a kubeconfig file; empty = KUBECONFIG, ~/.kube/config or in-cluster */
    public record Kubernetes(String kubeconfig) {}

    /**
     * @param namespace          namespace of the credentials Secret and the known_hosts source
     * @param credentialsSecret  Secret with {@code username}, {@code ssh-privatekey} and optional {@code passphrase}
     * @param knownHosts         {@code configmap/<name>} or {@code secret/<name>} holding key {@code known_hosts}
     * @param acceptAnyHostKey   skip host-key checking (labs only; logged at every connection)
     * @param nodeSelector       label selector of the Nodes that are storage hosts; empty = all Nodes
     * @param addressAnnotation  Node annotation overriding the SSH address, {@code host} or {@code host:port}
     * @param port               SSH port when the annotation gives none
     * @param sudo               prefix every command with {@code sudo -n} (for a non-root SSH user)
     * @param commandTimeout     limit for one command on a host
     * @param connectTimeout     limit for connecting and authenticating
     * @param keepAlive          keepalive interval of pooled connections
     * @param parallelHosts      hosts asked at the same time in a fan-out
     */
    public record Storage(
            String namespace,
            String credentialsSecret,
            String knownHosts,
            boolean acceptAnyHostKey,
            String nodeSelector,
            String addressAnnotation,
            int port,
            boolean sudo,
            Duration commandTimeout,
            Duration connectTimeout,
            Duration keepAlive,
            int parallelHosts) {
        public Storage {
            namespace = blank(namespace) ? "polarstack-system" : namespace;
            credentialsSecret = blank(credentialsSecret) ? "polarstack-storage-ssh" : credentialsSecret;
            knownHosts = blank(knownHosts) ? "configmap/polarstack-storage-known-hosts" : knownHosts;
            nodeSelector = nodeSelector == null ? "" : nodeSelector;
            addressAnnotation = blank(addressAnnotation) ? "storage.polarstack.io/ssh-address" : addressAnnotation;
            port = port <= 0 ? 22 : port;
            commandTimeout = commandTimeout == null ? Duration.ofSeconds(30) : commandTimeout;
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
            keepAlive = keepAlive == null ? Duration.ofSeconds(15) : keepAlive;
            parallelHosts = parallelHosts <= 0 ? 8 : parallelHosts;
        }

        private static boolean blank(String value) {
            return value == null || value.isBlank();
        }
    }
}
