package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static io.polarstack.orchestrator.testing.RunningCluster.rw;
import static io.polarstack.orchestrator.testing.RunningCluster.slots;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.ClassInfo;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.VersionConfig;
import io.polarstack.orchestrator.specs.ClassResources;
import io.polarstack.orchestrator.specs.InstancePods;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.LocalClusterSetup;
import io.polarstack.orchestrator.testing.RunningCluster;
import io.polarstack.orchestrator.testing.RwWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The rolling flows built on ReplaceInstance on the local three-node cluster with real PostgreSQL 15 (local mode),
 * one cluster of 1 RW + 1 RO (a rolling replacement needs the third node free) through ordered stages, each under an
 * independent writer on the RW Service:
 * <ol>
 * <li>UpgradeMinorVersion from catalog version {@code local} to {@code local-next}: the same images under a second
 * tag, pushed to the loopback registry through its API;</li>
 * <li>ModifyClass up (max_connections 800 to 1600: ROs first, the RW by the switchover) and then down (1600 to 400:
 * the RW lowers it first, with a restart).</li>
 * </ol>
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingChangesE2E {

    static final String NS = "e2e-rolling-" + System.nanoTime();
    static final String NEXT_VERSION = "local-next";
    static final String VERSION_CM = "postgresql-1-0-minor-version-info-rwo-" + NEXT_VERSION;
    static final String CATALOG_NS = "kube-system";
    static final Path CLASSES = Path.of("src/test/resources/e2e/catalog-class-rolling.yaml");
    static final String BASE_CLASS = "polar.o.e2e.c800";
    static final String UP_CLASS = "polar.o.e2e.c1600";
    static final String DOWN_CLASS = "polar.o.e2e.c400";
    static final Duration FLOW_BOUND = Duration.ofMinutes(8);
    static final int SEED_ROWS = 1000;

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    @Autowired
    HistoryService history;

    KubernetesClient client;
    String seedDigest;
    RwWriter writer;
    /** The images of version local-next, which every pod runs from the upgrade on. */
    String nextEngine;

    String nextManager;
    final Map<String, Long> stageMillis = new LinkedHashMap<>();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        pg.operatorProperties(registry);
    }

    @BeforeAll
    static void setUp(KubernetesClient client) throws Exception {
        LocalClusterSetup.configMaps(CLASSES)
                .forEach(c -> client.resource(c).forceConflicts().serverSideApply());
    }

    @AfterAll
    static void cleanUp(KubernetesClient client) throws Exception {
        // The catalog entries go last: the cluster's flows read them until it is gone.
        try {
            pg.drop();
        } finally {
            client.configMaps().inNamespace(CATALOG_NS).withName(VERSION_CM).delete();
            LocalClusterSetup.configMaps(CLASSES)
                    .forEach(c -> client.configMaps()
                            .inNamespace(CATALOG_NS)
                            .withName(c.getMetadata().getName())
                            .delete());
        }
    }

    @Test
    @Order(1)
    void upgradeThenClassUpAndDown(KubernetesClient client) throws Exception {
        this.client = client;
        long started = System.currentTimeMillis();
        pg.create(1, BASE_CLASS, Duration.ofMinutes(10));
        pg.assertTopology(pg.get(), 1);
        seed();
        assertMaxConnections(pg.get(), "800");
        stage("create", started);

        // One writer through every stage: its ids are the table's keys, so a second writer would collide with them.
        try (RwWriter w = pg.writer()) {
            writer = w;
            upgrade();
            changeClass(UP_CLASS, "1600", false);
            changeClass(DOWN_CLASS, "400", true);
        }

        assertThat(history.createHistoricProcessInstanceQuery()
                        .processInstanceBusinessKey(pg.businessKey())
                        .processDefinitionKey(FlowKeys.UPGRADE_MINOR_VERSION)
                        .finished()
                        .count())
                .as("one UpgradeMinorVersion")
                .isEqualTo(1);
        assertThat(history.createHistoricProcessInstanceQuery()
                        .processInstanceBusinessKey(pg.businessKey())
                        .processDefinitionKey(FlowKeys.MODIFY_CLASS)
                        .finished()
                        .count())
                .as("two ModifyClass")
                .isEqualTo(2);
        stageMillis.forEach((stage, millis) -> System.out.printf("stage %s: %.1f s%n", stage, millis / 1000.0));
        System.out.printf("whole test: %.1f s%n", (System.currentTimeMillis() - started) / 1000.0);
    }

    /**
     * 1. UpgradeMinorVersion to a second catalog version: the images the pods run now, under a second tag. Every pod
     * ends on the new tag, both instances are new (the RW by a switchover), no acknowledged write is lost.
     */
    void upgrade() throws Exception {
        long started = System.currentTimeMillis();
        var before = pg.get();
        Pod rwPod =
                client.pods().inNamespace(NS).withName(rw(before).getPodName()).get();
        String engine = retag(image(rwPod, InstancePods.ENGINE), "next");
        String manager = retag(image(rwPod, InstancePods.MANAGER), "next");
        nextEngine = engine;
        nextManager = manager;
        client.resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(VERSION_CM)
                        .withNamespace(CATALOG_NS)
                        .withLabels(Map.of(
                                "configtype",
                                "minor_version_info",
                                "dbClusterMode",
                                "WriteReadMore",
                                "dbType",
                                "PostgreSQL",
                                "dbVersion",
                                "1.0"))
                        .endMetadata()
                        .withData(Map.of("name", NEXT_VERSION, "pgEngineImage", engine, "pgManagerImage", manager))
                        .build())
                .forceConflicts()
                .serverSideApply();

        var after = underWriter(
                "upgrade",
                before,
                () -> pg.resource().edit(c -> {
                    var to = new VersionConfig();
                    to.setVersionName(NEXT_VERSION);
                    c.getSpec().setVersionCfgModifyTo(to);
                    return c;
                }),
                c -> NEXT_VERSION.equals(c.getSpec().getVersionCfg().getVersionName())
                        && c.getSpec().getVersionCfgModifyTo() == null);

        for (InstanceStatus i : after.getStatus().getDbInstanceStatus().values()) {
            Pod pod = client.pods().inNamespace(NS).withName(i.getPodName()).get();
            assertThat(image(pod, InstancePods.ENGINE))
                    .as("engine image of " + i.getPodName())
                    .isEqualTo(engine);
            assertThat(image(pod, InstancePods.MANAGER))
                    .as("manager image of " + i.getPodName())
                    .isEqualTo(manager);
        }
        assertThat(pg.events("MinorVersionUpgraded")).anyMatch(m -> m.contains(NEXT_VERSION));
        stage("upgrade to " + NEXT_VERSION, started);
    }

    /**
     * 2. ModifyClass to {@code className}: every instance shows its max_connections and its pod the class's
     * resources; going down, the RW took the lower value first with a restart (and only then).
     */
    void changeClass(String className, String maxConnections, boolean down) throws Exception {
        long started = System.currentTimeMillis();
        var before = pg.get();
        var after = underWriter(
                "class " + className,
                before,
                () -> pg.resource().edit(c -> {
                    var to = new ClassInfo();
                    to.setClassName(className);
                    c.getSpec().setClassInfoModifyTo(to);
                    return c;
                }),
                c -> className.equals(c.getSpec().getClassInfo().getClassName())
                        && c.getSpec().getClassInfoModifyTo() == null);

        assertMaxConnections(after, maxConnections);
        var expected = ClassResources.fromConfigMap(
                className,
                client.configMaps()
                        .inNamespace(CATALOG_NS)
                        .withName("postgresql-1-0-level-" + className.replace('.', '-') + "-resource-rwo")
                        .get()
                        .getData());
        for (InstanceStatus i : after.getStatus().getDbInstanceStatus().values()) {
            Pod pod = client.pods().inNamespace(NS).withName(i.getPodName()).get();
            var resources = container(pod, InstancePods.ENGINE).getResources();
            String what = "engine resources of " + i.getPodName() + " (class " + className + ")";
            assertThat(List.of(image(pod, InstancePods.ENGINE), image(pod, InstancePods.MANAGER)))
                    .as("images of " + i.getPodName() + ": still version " + NEXT_VERSION)
                    .containsExactly(nextEngine, nextManager);
            assertThat(amount(resources.getLimits().get("cpu")))
                    .as(what + ": cpu limit")
                    .isEqualByComparingTo(amount(expected.cpuLimit()));
            assertThat(amount(resources.getRequests().get("cpu")))
                    .as(what + ": cpu request")
                    .isEqualByComparingTo(amount(expected.cpuRequest()));
            assertThat(amount(resources.getLimits().get("memory")))
                    .as(what + ": memory limit")
                    .isEqualByComparingTo(Long.toString(expected.memoryLimit()));
            assertThat(amount(resources.getRequests().get("memory")))
                    .as(what + ": memory request")
                    .isEqualByComparingTo(Long.toString(expected.memoryRequest()));
        }
        var restarts = pg.events("RwRestarted").stream()
                .filter(m -> m.contains("max_connections=" + maxConnections))
                .toList();
        if (down) {
            assertThat(restarts)
                    .as("the RW lowered max_connections first, with a restart")
                    .hasSize(1);
            assertThat(restarts.get(0)).contains(before.getStatus().getLeaderInstanceId());
        } else {
            assertThat(pg.events("RwRestarted"))
                    .as("going up restarts no engine")
                    .isEmpty();
        }
        assertThat(pg.events("ClassModified")).anyMatch(m -> m.contains(className));
        stage("class " + className + " (max_connections " + maxConnections + ")", started);
    }

    /**
     * Makes the change under the writer on the RW Service and waits until the flow is done; then every instance is new,
     * in the old slots, the seed rows are intact on every instance, a new row replicates, writes go to the new RW, and
     * no acknowledged write is missing there. Prints the outages the writer saw and the flow's own figure.
     */
    MPDCluster underWriter(String what, MPDCluster before, Runnable change, Predicate<MPDCluster> done)
            throws Exception {
        Set<String> oldIds =
                new HashSet<>(before.getStatus().getDbInstanceStatus().keySet());
        Set<String> oldPods = pg.podNames();
        long acksBefore = writer.acks().size();
        long changeAt = System.currentTimeMillis();
        change.run();
        MPDCluster after = pg.awaitDone(FLOW_BOUND, what, done);
        long doneAt = System.currentTimeMillis();

        var rw = rw(after);
        await(
                Duration.ofSeconds(60),
                () -> "writes through the RW Service to " + rw.getInsId() + " after " + what,
                () -> writer.acksAfter(doneAt) > 0
                        && writer.endpoint().startsWith(rw.getNetInfo().getWorkingHostIP() + ":"));
        var outages = writer.outages(changeAt, Duration.ofMillis(200));
        String oldRw = before.getStatus().getLeaderInstanceId();
        var switched = pg.events("RwSwitched").stream()
                .filter(m -> m.contains("from " + oldRw + " "))
                .toList();
        System.out.printf(
                "%s: flow %.1f s; write outages %s ms (%d writes acknowledged meanwhile); the flow's own figure: %s%n",
                what,
                (doneAt - changeAt) / 1000.0,
                outages.stream().map(RwWriter.Outage::millis).toList(),
                writer.acks().size() - acksBefore,
                switched);
        pg.printFailoverSteps(history, what, changeAt);
        printSlowSteps(what, changeAt);
        assertThat(writer.lost())
                .as("acknowledged writes missing on the new RW after " + what)
                .isEmpty();

        assertThat(after.getStatus().getDbInstanceStatus().keySet())
                .as("every instance replaced by " + what)
                .doesNotContainAnyElementsOf(oldIds);
        assertThat(slots(after)).as("the same slots").isEqualTo(slots(before));
        assertThat(after.getStatus().getLeaderInstanceId())
                .as("a new RW")
                .isNotEqualTo(before.getStatus().getLeaderInstanceId());
        pg.assertTopology(after, 1);
        assertThat(pg.podNames()).as("the old pods are gone").doesNotContainAnyElementsOf(oldPods);
        assertSeedIntact(after, what);
        pg.assertReplicates(after, "after " + what);
        return after;
    }

    /**
     * 3. Restarts, on the cluster the changes left (made here when this runs alone): one RO by restartIns; then the
     * whole cluster in place and by a switchover (restartRwBy), each under the writer. Asserted: every engine meant
     * really restarted (pg_postmaster_start_time changed), no acknowledged write lost, one writable primary at the end.
     * The longest write gap of each is printed, not asserted.
     */
    @Test
    @Order(2)
    void restartAnRoThenTheClusterInPlaceAndBySwitchover(KubernetesClient client) throws Exception {
        this.client = client;
        if (pg.get() == null) {
            pg.create(1, BASE_CLASS, Duration.ofMinutes(10));
        }
        long started = System.currentTimeMillis();
        var before = pg.get();
        var ro = RunningCluster.ros(before).get(0);
        var rwBefore = rw(before);
        String roStart = postmasterStart(ro);
        String rwStart = postmasterStart(rwBefore);
        pg.annotate(Annotations.RESTART_INS, ro.getInsId());
        pg.awaitDone(
                FLOW_BOUND, "restart RO " + ro.getInsId(), c -> !annotations(c).containsKey(Annotations.RESTART_INS));
        assertThat(postmasterStart(ro)).as("RO " + ro.getInsId() + " restarted").isNotEqualTo(roStart);
        assertThat(postmasterStart(rwBefore)).as("the RW untouched").isEqualTo(rwStart);
        assertThat(pg.events("InstanceRestarted")).anyMatch(m -> m.contains(ro.getInsId()));
        stage("restart RO", started);

        try (RwWriter w = pg.writer()) {
            writer = w;
            restartCluster(false);
            restartCluster(true);
        }
        stageMillis.forEach((stage, millis) -> System.out.printf("stage %s: %.1f s%n", stage, millis / 1000.0));
    }

    void restartCluster(boolean switchover) throws Exception {
        String what = "restart cluster " + (switchover ? "by switchover" : "in place");
        long started = System.currentTimeMillis();
        var before = pg.get();
        Map<String, String> starts = new LinkedHashMap<>();
        for (InstanceStatus i : before.getStatus().getDbInstanceStatus().values()) {
            starts.put(i.getInsId(), postmasterStart(i));
        }
        pg.annotate(Annotations.RESTART_RW_BY, switchover ? "switchover" : "inPlace");
        long acksBefore = writer.acks().size();
        pg.annotate(Annotations.RESTART_CLUSTER, "true");
        var after = pg.awaitDone(FLOW_BOUND, what, c -> !annotations(c).containsKey(Annotations.RESTART_CLUSTER));
        long doneAt = System.currentTimeMillis();
        var rwAfter = rw(after);
        await(
                Duration.ofSeconds(60),
                () -> "writes through the RW Service to " + rwAfter.getInsId() + " after " + what,
                () -> writer.acksAfter(doneAt) > 0
                        && writer.endpoint().startsWith(rwAfter.getNetInfo().getWorkingHostIP() + ":"));
        var outages = writer.outages(started, Duration.ofMillis(200));
        System.out.printf(
                "%s: flow %.1f s; write outages %s ms, longest %d ms (%d writes acknowledged meanwhile)%n",
                what,
                (doneAt - started) / 1000.0,
                outages.stream().map(RwWriter.Outage::millis).toList(),
                outages.stream().mapToLong(RwWriter.Outage::millis).max().orElse(0),
                writer.acks().size() - acksBefore);
        printSlowSteps(what, started);
        assertThat(writer.lost())
                .as("acknowledged writes missing after " + what)
                .isEmpty();
        assertThat(after.getStatus().getDbInstanceStatus().keySet())
                .as("the same instances")
                .isEqualTo(starts.keySet());
        for (InstanceStatus i : after.getStatus().getDbInstanceStatus().values()) {
            assertThat(postmasterStart(i))
                    .as(what + ": engine of " + i.getInsId() + " restarted")
                    .isNotEqualTo(starts.get(i.getInsId()));
        }
        if (switchover) {
            assertThat(rwAfter.getInsId())
                    .as("the RW role moved")
                    .isNotEqualTo(rw(before).getInsId());
        } else {
            assertThat(rwAfter.getInsId())
                    .as("the RW stayed")
                    .isEqualTo(rw(before).getInsId());
        }
        List<String> primaries = new java.util.ArrayList<>();
        for (InstanceStatus i : after.getStatus().getDbInstanceStatus().values()) {
            try (var c = pg.connect(i);
                    var st = c.createStatement();
                    var rs = st.executeQuery("select pg_is_in_recovery()")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    primaries.add(i.getInsId());
                }
            }
        }
        assertThat(primaries).as("writable primaries after " + what).containsExactly(rwAfter.getInsId());
        pg.assertTopology(after, 1);
        pg.assertReplicates(after, "after " + what);
        stage(what, started);
    }

    String postmasterStart(InstanceStatus instance) throws SQLException {
        try (var c = pg.connect(instance);
                var st = c.createStatement();
                var rs = st.executeQuery("select pg_postmaster_start_time()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static Map<String, String> annotations(MPDCluster cluster) {
        return cluster.getMetadata().getAnnotations() == null
                ? Map.of()
                : cluster.getMetadata().getAnnotations();
    }

    /** Rows written before the changes; their digest must read the same on every instance after each. */
    void seed() throws SQLException {
        var cluster = pg.get();
        try (var c = pg.connect(rw(cluster));
                var st = c.createStatement()) {
            st.execute("create table seed(id int primary key, note text not null)");
            st.execute("insert into seed select g, md5(g::text) from generate_series(1, " + SEED_ROWS + ") g");
            seedDigest = digest(c);
        }
        assertSeedIntact(cluster, "creation");
    }

    void assertSeedIntact(MPDCluster cluster, String after) {
        for (InstanceStatus i : cluster.getStatus().getDbInstanceStatus().values()) {
            await(
                    Duration.ofSeconds(90),
                    () -> "the " + SEED_ROWS + " seed rows on " + i.getInsType() + " " + i.getInsId() + " after "
                            + after,
                    () -> {
                        try (var c = pg.connect(i)) {
                            return seedDigest.equals(digest(c));
                        } catch (SQLException e) {
                            return false;
                        }
                    });
        }
    }

    static String digest(java.sql.Connection c) throws SQLException {
        try (var st = c.createStatement();
                var rows = st.executeQuery(
                        "select count(*) || ':' || md5(string_agg(id || '=' || note, ',' order by id)) from seed")) {
            rows.next();
            return rows.getString(1);
        }
    }

    void assertMaxConnections(MPDCluster cluster, String expected) throws SQLException {
        for (InstanceStatus i : cluster.getStatus().getDbInstanceStatus().values()) {
            try (var c = pg.connect(i);
                    var st = c.createStatement();
                    var rows = st.executeQuery("show max_connections")) {
                rows.next();
                assertThat(rows.getString(1))
                        .as("max_connections on " + i.getInsType() + " " + i.getInsId())
                        .isEqualTo(expected);
            }
        }
    }

    /** Where the flow's time went: every step of it and of the flows it called that took a second or more. */
    void printSlowSteps(String what, long since) {
        for (var flow : history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey(pg.businessKey())
                .startedAfter(new java.util.Date(since))
                .list()) {
            if (!flow.getId().equals(flow.getRootProcessInstanceId())) {
                continue;
            }
            var steps = history.createHistoricProcessInstanceQuery().rootProcessInstanceId(flow.getId()).list().stream()
                    .flatMap(p ->
                            history.createHistoricActivityInstanceQuery().processInstanceId(p.getId()).list().stream())
                    .filter(a -> a.getDurationInMillis() != null && a.getDurationInMillis() >= 1000)
                    .sorted(java.util.Comparator.comparing(a -> a.getStartTime()))
                    .map(a -> a.getActivityId() + " " + a.getDurationInMillis() + " ms")
                    .toList();
            System.out.printf("%s: %s steps of 1 s or more %s%n", what, flow.getProcessDefinitionKey(), steps);
        }
    }

    /**
     * Puts the manifest of {@code image} (under the loopback registry) under the tag {@code <tag>-<suffix>} through the
     * registry's HTTP API: the same image by another name, as a new release of unchanged bits would be.
     */
    static String retag(String image, String suffix) throws IOException, InterruptedException {
        int slash = image.indexOf('/');
        int colon = image.lastIndexOf(':');
        String registry = image.substring(0, slash);
        String repository = image.substring(slash + 1, colon);
        String tag = image.substring(colon + 1);
        String newTag = tag + "-" + suffix;
        String manifests = "http://" + registry + "/v2/" + repository + "/manifests/";
        var http = HttpClient.newHttpClient();
        var get = http.send(
                HttpRequest.newBuilder(URI.create(manifests + tag))
                        .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(get.statusCode()).as("GET manifest of " + image).isEqualTo(200);
        var put = http.send(
                HttpRequest.newBuilder(URI.create(manifests + newTag))
                        .header(
                                "Content-Type",
                                get.headers().firstValue("Content-Type").orElseThrow())
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(get.body()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode())
                .as("PUT manifest " + repository + ":" + newTag + ": " + put.body())
                .isEqualTo(201);
        return registry + "/" + repository + ":" + newTag;
    }

    static Container container(Pod pod, String name) {
        return pod.getSpec().getContainers().stream()
                .filter(c -> name.equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no container " + name + " in pod " + pod.getMetadata().getName()));
    }

    static String image(Pod pod, String container) {
        return container(pod, container).getImage();
    }

    static java.math.BigDecimal amount(Quantity quantity) {
        return quantity.getNumericalAmount();
    }

    static java.math.BigDecimal amount(String quantity) {
        return new Quantity(quantity).getNumericalAmount();
    }

    void stage(String name, long startedAt) {
        long millis = System.currentTimeMillis() - startedAt;
        stageMillis.put(name, millis);
        System.out.printf("stage %s done in %.1f s%n", name, millis / 1000.0);
    }
}
