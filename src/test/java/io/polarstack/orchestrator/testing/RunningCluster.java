package io.polarstack.orchestrator.testing;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.adapters.k8s.PodExecs;
import io.polarstack.orchestrator.api.Account;
import io.polarstack.orchestrator.api.ClusterState;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.PodExec;
import io.polarstack.orchestrator.service.ReplicaSlots;
import io.polarstack.orchestrator.specs.Labels;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The MPDCluster {@value #NAME} of one E2E class on the local cluster, and what the tests read from it and do with it:
 * its instances and pods, its events, a connection as its superuser, a writer on its RW Service, and waits for the
 * flows a change starts. Registered as the class's extension, it prepares the namespace before the tests (images,
 * catalog, CRD) and removes it after them: DeleteCluster first, so the engines stop while the operator still runs.
 * The test makes the cluster ({@link #create}) from the sample local-mode resource at catalog version {@code local}.
 * The superuser's password stays in here.
 */
public final class RunningCluster implements BeforeAllCallback, AfterAllCallback {

    public static final String NAME = "pg";
    /** The sample's class (deploy/samples/catalog-class-polar.o.x4.medium.yaml): one CPU requested per instance. */
    public static final String MEDIUM = "polar.o.x4.medium";
    /** A small class (src/test/resources/e2e), so a cluster's instances fit beside other E2Es' clusters. */
    public static final String SMALL = "polar.o.x1.e2e";

    private static final Path SAMPLE = Path.of("deploy/samples/mpdcluster-local.yaml");
    private static final Duration SWITCH_BOUND = Duration.ofMinutes(3);
    private static final Duration REPLICATION_BOUND = Duration.ofSeconds(90);

    private final String namespace;
    private KubernetesClient client;
    private PodExec exec;
    private Resource<MPDCluster> resource;
    private Account superuser;

    public RunningCluster(String namespace) {
        this.namespace = namespace;
    }

    /** The in-process orchestrator on the local cluster, its operator watching this namespace only. */
    public void operatorProperties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, namespace);
        registry.add("orchestrator.kubernetes.kubeconfig", LocalClusterSetup.KUBECONFIG::toString);
        registry.add("orchestrator.operator.enabled", () -> "true");
        registry.add("orchestrator.operator.namespaces", () -> namespace);
        registry.add("orchestrator.operator.lease-namespace", () -> namespace);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        client = LocalClusterExtension.cluster(context).client();
        exec = PodExecs.kubernetes(client);
        resource = client.resources(MPDCluster.class).inNamespace(namespace).withName(NAME);
        LocalClusterSetup.imagesCatalogAndNamespace(client, namespace);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (resource != null) { // null: the local cluster did not come up
            drop();
        }
    }

    /**
     * Deletes the cluster, waits until DeleteCluster removed it, and deletes the namespace. With no operator left to run
     * DeleteCluster (a test's own orchestrator process stopped), the cluster's finalizers go. Safe to call again.
     */
    public void drop() {
        try {
            if (resource.get() != null) {
                deleteAndAwaitGone();
            }
        } finally {
            if (resource.get() != null) {
                resource.edit(c -> {
                    c.getMetadata().setFinalizers(List.of());
                    return c;
                });
            }
            var ns = client.namespaces().withName(namespace).get();
            if (ns != null && ns.getMetadata().getDeletionTimestamp() == null) {
                client.namespaces().withName(namespace).delete();
            }
        }
    }

    /** Creates the cluster, one RW and {@code ros} ROs of {@code className} on a free port range; does not wait. */
    public void submit(int ros, String className) throws IOException {
        submit(ros, className, c -> {});
    }

    /** {@link #submit(int, String)}, the resource first shaped by {@code change}. */
    public void submit(int ros, String className, Consumer<MPDCluster> change) throws IOException {
        MPDCluster cluster = Serialization.unmarshal(Files.readString(SAMPLE), MPDCluster.class);
        cluster.getMetadata().setNamespace(namespace);
        cluster.getMetadata().setName(NAME);
        cluster.getSpec().setFollowerNum(ros);
        cluster.getSpec().getClassInfo().setClassName(className);
        cluster.getSpec().getVersionCfg().setVersionName("local");
        cluster.getSpec().getNetCfg().setEngineStartPort(freePort());
        change.accept(cluster);
        client.resource(cluster).create();
    }

    /** {@link #submit}, then waits up to {@code bound} until CreateCluster has ended with the cluster Running. */
    public MPDCluster create(int ros, String className, Duration bound) throws IOException {
        submit(ros, className);
        return awaitDone(bound, "created", c -> true);
    }

    /** {@link #create(int, String, Duration)}, the resource first shaped by {@code change}. */
    public MPDCluster create(int ros, String className, Duration bound, Consumer<MPDCluster> change)
            throws IOException {
        submit(ros, className, change);
        return awaitDone(bound, "created", c -> true);
    }

    public Resource<MPDCluster> resource() {
        return resource;
    }

    public MPDCluster get() {
        return resource.get();
    }

    /** The business key of the cluster's flows. */
    public String businessKey() {
        return FlowKeys.businessKey(namespace, NAME);
    }

    /**
     * Waits until {@code done} holds, the cluster is Running and no flow runs; an incident fails at once. Returns the
     * cluster as it was then.
     */
    public MPDCluster awaitDone(Duration bound, String what, Predicate<MPDCluster> done) {
        await(
                bound,
                () -> "MPDCluster " + namespace + "/" + NAME + ": " + what + "; last: " + describe(resource.get()),
                () -> {
                    var c = resource.get();
                    notInterrupted(c);
                    return c != null
                            && c.getStatus() != null
                            && done.test(c)
                            && ClusterState.RUNNING.equals(c.getStatus().getClusterStatus())
                            && c.getStatus().getFlow() == null;
                });
        return resource.get();
    }

    /** A Failover made {@code insId} the RW and ended. */
    public MPDCluster awaitLeader(String insId, String what) {
        return awaitDone(
                SWITCH_BOUND,
                insId + " leads (" + what + ")",
                c -> insId.equals(c.getStatus().getLeaderInstanceId()));
    }

    /** A Failover moved the RW away from {@code insId} and ended. */
    public MPDCluster awaitLeaderOtherThan(String insId, String what) {
        return awaitDone(
                SWITCH_BOUND,
                "a new leader instead of " + insId + " (" + what + ")",
                c -> !insId.equals(c.getStatus().getLeaderInstanceId()));
    }

    /**
     * Sets the annotation, or removes it when {@code value} is null, as {@code kubectl annotate} does: a merge patch
     * with no resourceVersion, so a status write of the operator at the same moment cannot make it fail with a conflict.
     */
    public void annotate(String key, String value) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(key, value); // a null removes it
        resource.patch(
                PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("metadata", Map.of("annotations", annotations))));
    }

    /** Deletes the cluster and waits until DeleteCluster has removed it. */
    public void deleteAndAwaitGone() {
        resource.delete();
        await(
                Duration.ofMinutes(3),
                () -> "MPDCluster " + namespace + "/" + NAME + " gone through DeleteCluster",
                () -> resource.get() == null);
    }

    /** A connection to the instance's engine as the cluster's superuser. */
    public Connection connect(InstanceStatus instance) throws SQLException {
        var props = new Properties();
        props.setProperty("user", superuser().user());
        props.setProperty("password", superuser().password());
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(
                "jdbc:postgresql://" + instance.getNetInfo().getWorkingHostIP() + ":"
                        + instance.getNetInfo().getWorkingPort() + "/postgres",
                props);
    }

    /**
     * A connection to the instance's engine as the cluster's superuser from {@code localAddress}, so it is not cut off
     * by a {@link LoopbackCut} of the instance's node; {@code socketTimeout} 0 waits as long as the server does.
     */
    public Connection connectFrom(InstanceStatus instance, String localAddress) throws SQLException {
        var props = new Properties();
        props.setProperty("user", superuser().user());
        props.setProperty("password", superuser().password());
        props.setProperty("connectTimeout", "5");
        props.setProperty("localSocketAddress", localAddress);
        return DriverManager.getConnection(
                "jdbc:postgresql://" + instance.getNetInfo().getWorkingHostIP() + ":"
                        + instance.getNetInfo().getWorkingPort() + "/postgres",
                props);
    }

    /** The value of a setting on the instance's engine. */
    public String setting(InstanceStatus instance, String name) {
        try (var c = connect(instance);
                var query = c.prepareStatement("select current_setting(?)")) {
            query.setString(1, name);
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError("reading " + name + " on " + instance.getInsId() + ": " + e.getMessage(), e);
        }
    }

    /** Sets {@code spec.dataDurability} with a merge patch, as {@code kubectl patch --type merge} does. */
    public void durability(String value) {
        resource.patch(
                PatchContext.of(PatchType.JSON_MERGE),
                Serialization.asJson(Map.of("spec", Map.of("dataDurability", value))));
    }

    /** Waits until the cluster's condition {@code type} has this status and reason; returns its message. */
    public String awaitCondition(String type, boolean status, String reason, Duration bound) {
        await(
                bound,
                () -> "condition " + type + "=" + status + " (" + reason + "); last: "
                        + Conditions.get(get().getStatus(), type),
                () -> {
                    var c = Conditions.get(get().getStatus(), type);
                    return c != null
                            && (status ? "True" : "False").equals(c.getStatus())
                            && reason.equals(c.getReason());
                });
        return Conditions.get(get().getStatus(), type).getMessage();
    }

    /** An independent client writing every 50 ms through the RW Service, its first writes acknowledged. */
    public RwWriter writer() throws SQLException, InterruptedException {
        RwWriter writer = new RwWriter(
                        client,
                        namespace,
                        NAME + "-rw",
                        superuser().user(),
                        superuser().password(),
                        Duration.ofMillis(50))
                .start();
        try {
            await(
                    Duration.ofSeconds(30),
                    () -> "first writes",
                    () -> writer.acks().size() > 5);
        } catch (AssertionError e) {
            writer.close();
            throw e;
        }
        return writer;
    }

    /**
     * A new row is written on the RW, then every RO must hold all of the RW's rows: the ones written before a change
     * (carried by a new instance's base backup) and the new one (streamed).
     */
    public void assertReplicates(MPDCluster cluster, String note) {
        assertReplicates(cluster, note, REPLICATION_BOUND);
    }

    public void assertReplicates(MPDCluster cluster, String note, Duration bound) {
        var rw = rw(cluster);
        long rows;
        try (var c = connect(rw);
                var st = c.createStatement();
                var insert = c.prepareStatement("insert into marks values (?)")) {
            st.execute("create table if not exists marks(note text)");
            insert.setString(1, note + " " + System.nanoTime());
            insert.executeUpdate();
            rows = marks(c);
        } catch (SQLException e) {
            throw new AssertionError("writing on the RW " + rw.getInsId() + ": " + e.getMessage(), e);
        }
        for (InstanceStatus ro : ros(cluster)) {
            await(
                    bound,
                    () -> "all " + rows + " rows of marks (" + note + ") on RO " + ro.getInsId() + " at "
                            + ro.getNetInfo().getWorkingHostIP(),
                    () -> {
                        try (var c = connect(ro)) {
                            return marks(c) == rows;
                        } catch (SQLException e) {
                            return false; // not replayed yet
                        }
                    });
        }
    }

    /**
     * One RW and {@code ros} ROs, nothing half-made, each on its own node with exactly their pods, Ready, labelled with
     * their role, slot and instance; and on the RW exactly one active replication slot per RO.
     */
    public void assertTopology(MPDCluster cluster, int ros) {
        var instances = cluster.getStatus().getDbInstanceStatus().values();
        List<String> types = new ArrayList<>(List.of(InstanceRole.RW));
        types.addAll(Collections.nCopies(ros, InstanceRole.RO));
        assertThat(instances)
                .extracting(InstanceStatus::getInsType)
                .as("types")
                .containsExactlyInAnyOrderElementsOf(types);
        assertThat(instances)
                .extracting(InstanceStatus::getNodeName)
                .as("one instance per node")
                .doesNotHaveDuplicates();
        assertThat(instances).extracting(InstanceStatus::getReplacesInsId).containsOnlyNulls();
        Set<String> expected =
                instances.stream().map(InstanceStatus::getPodName).collect(Collectors.toSet());
        await(
                Duration.ofMinutes(2),
                () -> "exactly the pods " + expected + ", Ready; now " + podNames(),
                () -> podNames().equals(expected)
                        && expected.stream()
                                .allMatch(p -> client.pods()
                                        .inNamespace(namespace)
                                        .withName(p)
                                        .isReady()));
        for (InstanceStatus i : instances) {
            Pod pod = client.pods()
                    .inNamespace(namespace)
                    .withName(i.getPodName())
                    .get();
            assertThat(pod.getSpec().getNodeName())
                    .as("node of " + i.getPodName())
                    .isEqualTo(i.getNodeName());
            assertThat(pod.getMetadata().getLabels())
                    .as("labels of " + i.getPodName())
                    .containsEntry(Labels.ROLE, i.getInsType())
                    .containsEntry(Labels.SLOT, i.getPhysicalInsId())
                    .containsEntry(Labels.INSTANCE, i.getInsId());
        }
        var rw = rw(cluster);
        Set<String> slots = ros(cluster).stream().map(ReplicaSlots::name).collect(Collectors.toSet());
        await(Duration.ofSeconds(60), () -> "active slots " + slots + " on the RW " + rw.getInsId(), () -> {
            try (var c = connect(rw);
                    var st = c.createStatement();
                    var rows = st.executeQuery("select slot_name, active from pg_replication_slots")) {
                Set<String> now = new HashSet<>();
                boolean allActive = true;
                while (rows.next()) {
                    now.add(rows.getString(1));
                    allActive &= rows.getBoolean(2);
                }
                return now.equals(slots) && allActive;
            } catch (SQLException e) {
                return false;
            }
        });
    }

    /** Runs {@code argv} in a container of the pod, through the API server. */
    public PodExec.Result exec(String pod, String container, List<String> argv, Duration timeout) {
        return exec.exec(new PodExec.Target(namespace, pod, container), argv, new byte[0], timeout);
    }

    /** kill -9 of the instance's postmaster, as a crash would end it; returns when the kill was sent (epoch ms). */
    public long killPostmaster(String insId) {
        String pod = instance(get(), insId).getPodName();
        var pid = exec(pod, "engine", List.of("head", "-1", "/data/postmaster.pid"), Duration.ofSeconds(10))
                .stdout()
                .strip();
        assertThat(pid).matches("[0-9]+");
        long sent = System.currentTimeMillis();
        var result = exec(pod, "engine", List.of("kill", "-9", pid), Duration.ofSeconds(10));
        assertThat(result.exitCode())
                .as("kill -9 " + pid + ": " + result.stderr())
                .isZero();
        return sent;
    }

    /** The cluster's pods that are not being deleted. */
    public Set<String> podNames() {
        Set<String> names = new HashSet<>();
        for (Pod p : client.pods()
                .inNamespace(namespace)
                .withLabel(Labels.CLUSTER, NAME)
                .list()
                .getItems()) {
            if (p.getMetadata().getDeletionTimestamp() == null) {
                names.add(p.getMetadata().getName());
            }
        }
        return names;
    }

    public void awaitPodGone(String pod) {
        await(
                Duration.ofMinutes(2),
                () -> "pod " + pod + " gone",
                () -> client.pods().inNamespace(namespace).withName(pod).get() == null);
    }

    /** The first node (by name) that holds none of the cluster's instances. */
    public String freeNode(MPDCluster cluster) {
        Set<String> used = new HashSet<>();
        cluster.getStatus().getDbInstanceStatus().values().forEach(i -> used.add(i.getNodeName()));
        return client.nodes().list().getItems().stream()
                .map(n -> n.getMetadata().getName())
                .filter(n -> !used.contains(n))
                .sorted()
                .findFirst()
                .orElseThrow(() -> new AssertionError("no node free of " + used));
    }

    /** Messages of the namespace's events with this reason. */
    public List<String> events(String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .map(e -> e.getMessage() == null ? "" : e.getMessage())
                .toList();
    }

    /** Where a switchover's time went: the steps of each Failover of this cluster started since then. */
    public void printFailoverSteps(HistoryService history, String what, long since) {
        for (var failover : history.createHistoricProcessInstanceQuery()
                .processDefinitionKey(FlowKeys.FAILOVER)
                .processInstanceBusinessKey(businessKey())
                .startedAfter(new Date(since))
                .list()) {
            var steps = history
                    .createHistoricActivityInstanceQuery()
                    .processInstanceId(failover.getId())
                    .activityType("serviceTask")
                    .orderByHistoricActivityInstanceStartTime()
                    .asc()
                    .list()
                    .stream()
                    .map(a -> a.getActivityId() + " " + a.getDurationInMillis() + " ms")
                    .toList();
            System.out.printf("%s: Failover steps %s%n", what, steps);
        }
    }

    public static InstanceStatus instance(MPDCluster cluster, String insId) {
        return cluster.getStatus().getDbInstanceStatus().get(insId);
    }

    public static InstanceStatus rw(MPDCluster cluster) {
        return instance(cluster, cluster.getStatus().getLeaderInstanceId());
    }

    /** The ROs, ordered by instance id. */
    public static List<InstanceStatus> ros(MPDCluster cluster) {
        return cluster.getStatus().getDbInstanceStatus().values().stream()
                .filter(InstanceRole::ro)
                .sorted(Comparator.comparing(InstanceStatus::getInsId))
                .toList();
    }

    /** The instances' slots (physical instance ids). */
    public static Set<String> slots(MPDCluster cluster) {
        return cluster.getStatus().getDbInstanceStatus().values().stream()
                .map(InstanceStatus::getPhysicalInsId)
                .collect(Collectors.toSet());
    }

    /** Fails when a flow of the cluster stopped with an incident. */
    public static void notInterrupted(MPDCluster cluster) {
        if (cluster != null
                && cluster.getStatus() != null
                && ClusterState.INTERRUPT.equals(cluster.getStatus().getClusterStatus())) {
            throw new AssertionError("the flow stopped with an incident: " + describe(cluster));
        }
    }

    /** Status and annotations, for a failure message. */
    public static String describe(MPDCluster cluster) {
        return cluster == null
                ? "gone"
                : Serialization.asYaml(cluster.getStatus())
                        + cluster.getMetadata().getAnnotations();
    }

    private Account superuser() {
        if (superuser == null) {
            String name = NAME + "-" + get().getStatus().getLogicId() + "-aurora";
            var secret = client.secrets().inNamespace(namespace).withName(name).get();
            assertThat(secret).as("Secret " + namespace + "/" + name).isNotNull();
            Map<String, byte[]> data = new HashMap<>();
            secret.getData()
                    .forEach((key, value) -> data.put(key, Base64.getDecoder().decode(value)));
            superuser = Account.of(data)
                    .orElseThrow(() -> new AssertionError("no account in Secret " + namespace + "/" + name));
        }
        return superuser;
    }

    private static long marks(Connection c) throws SQLException {
        try (var st = c.createStatement();
                var rows = st.executeQuery("select count(*) from marks")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** A port range start in 20000-28999, spread by the kernel's choice of a free port. */
    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return 20000 + socket.getLocalPort() % 9000;
        }
    }
}
