package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static io.polarstack.orchestrator.testing.RunningCluster.rw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.RunningCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The disk-full and expiry locks on one cluster of the local cluster with PostgreSQL 15: one RW in local mode with
 * {@code localStore.size} 96Mi.
 * <ol>
 * <li>A quota really filled: the usage monitor (every 2 s here) sees the databases over 95 % of it and locks the
 * cluster read-only for ordinary roles (superusers still write); the quota grown to 1Gi over REST (ExtendStorage) is
 * recorded, and the monitor lifts its own lock.</li>
 * <li>{@code expired=true} stops the engine behind its stop lock while its container keeps running, and the HA monitor
 * fails nothing over; {@code expired=false} brings it back with its data.</li>
 * </ol>
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocksE2E {

    static final String NS = "e2e-locks-" + System.nanoTime();
    static final Duration LOCK_BOUND = Duration.ofMinutes(2);
    static final String APP = "e2e_app";

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        pg.operatorProperties(registry);
        registry.add("orchestrator.disk-usage.interval", () -> "2s");
    }

    @Autowired
    ManagerClient manager;

    @LocalServerPort
    int port;

    @Autowired
    HistoryService history;

    static String password;

    @Test
    @Order(1)
    void aFilledQuotaLocksOrdinaryWritesAndItsGrowthLiftsTheLock() throws Exception {
        MPDCluster cluster = pg.create(
                0,
                RunningCluster.SMALL,
                Duration.ofMinutes(6),
                c -> c.getSpec().getLocalStore().setSize("96Mi"));
        InstanceStatus rw = rw(cluster);
        password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        manager.createAccount(ClusterSteps.target(cluster, rw), APP, password, 1);
        try (Connection c = pg.connect(rw);
                var s = c.createStatement()) {
            s.execute("create table app_rows (id bigint)");
            s.execute("grant insert on app_rows to " + APP);
        }
        insertAs(rw, password); // an ordinary role writes before the lock

        try (Connection c = pg.connect(rw);
                var s = c.createStatement()) {
            // Rows that do not compress: with the catalogs well over 95 % of 96Mi.
            s.execute("create table fill as select i, repeat(md5(i::text), 30) as v"
                    + " from generate_series(1, 50000) i");
        }
        String why = pg.awaitCondition(Conditions.DISK_FULL, true, Conditions.USAGE_OVER_THRESHOLD, LOCK_BOUND);
        assertThat(why).contains("of " + 96L * 1024 * 1024 + " bytes");
        pg.awaitDone(Duration.ofMinutes(2), "LockInstance ended", c -> true);
        assertThatThrownBy(() -> insertAs(rw, password))
                .as("an ordinary role's write under the disk-full lock")
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        try (Connection c = pg.connect(rw);
                var s = c.createStatement()) {
            s.execute("insert into app_rows values (0)"); // a superuser is not locked
        }

        pg.resource()
                .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        Serialization.asJson(Map.of("spec", Map.of("localStore", Map.of("size", "1Gi")))));
        HttpResponse<String> grown = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/clusters/" + NS + "/"
                                        + RunningCluster.NAME + "/extend-storage"))
                                .header("Authorization", AppTestSupport.ADMIN_LOGIN)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(grown.statusCode()).as(grown.body()).isEqualTo(202);
        assertThat(grown.body()).contains("ExtendStorage");
        pg.awaitDone(
                Duration.ofMinutes(3),
                "storage quota 1Gi recorded",
                c -> "1Gi".equals(c.getStatus().getStorageQuota()));
        await(
                LOCK_BOUND,
                () -> "the monitor lifts its disk-full lock under 85 % of 1Gi; last: "
                        + Conditions.get(pg.get().getStatus(), Conditions.DISK_FULL),
                () -> {
                    var condition = Conditions.get(pg.get().getStatus(), Conditions.DISK_FULL);
                    return condition != null && "False".equals(condition.getStatus());
                });
        pg.awaitDone(Duration.ofMinutes(2), "UnlockInstance ended", c -> true);
        insertAs(rw, password);
    }

    @Test
    @Order(2)
    void anExpiredClusterIsStoppedWithoutFailoverAndComesBackWithItsData(KubernetesClient client) throws Exception {
        InstanceStatus rw = rw(pg.get());
        int restarts = engineRestarts(client, rw);
        long since = System.currentTimeMillis();
        pg.annotate(Annotations.EXPIRED, "true");
        pg.awaitCondition(Conditions.EXPIRED, true, "Expired", LOCK_BOUND);
        pg.awaitDone(LOCK_BOUND, "ExpiryLock ended", c -> true);
        assertThatThrownBy(() -> pg.connect(rw).close())
                .as("the expired cluster's engine refuses connections")
                .isInstanceOf(SQLException.class);
        // The HA monitor probes every second and fails a refusing RW over at once, unless the cluster is expired.
        Thread.sleep(10_000);
        assertThat(history.createHistoricProcessInstanceQuery()
                        .processInstanceBusinessKey(pg.businessKey())
                        .processDefinitionKey(FlowKeys.FAILOVER)
                        .startedAfter(new Date(since))
                        .count())
                .as("Failover flows of the expired cluster")
                .isZero();
        assertThat(engineRestarts(client, rw))
                .as("the engine container keeps running behind its stop lock")
                .isEqualTo(restarts);

        pg.annotate(Annotations.EXPIRED, "false");
        pg.awaitCondition(Conditions.EXPIRED, false, "Renewed", LOCK_BOUND);
        pg.awaitDone(LOCK_BOUND, "ExpiryUnlock ended", c -> true);
        insertAs(rw, password);
        try (Connection c = pg.connect(rw);
                var count = c.createStatement().executeQuery("select count(*) from fill")) {
            count.next();
            assertThat(count.getLong(1)).isEqualTo(50000);
        }
    }

    static int engineRestarts(KubernetesClient client, InstanceStatus instance) {
        return client
                .pods()
                .inNamespace(NS)
                .withName(instance.getPodName())
                .get()
                .getStatus()
                .getContainerStatuses()
                .stream()
                .filter(s -> s.getName().equals("engine"))
                .findFirst()
                .orElseThrow()
                .getRestartCount();
    }

    /** One insert as the ordinary role, on a new session (the lock applies to sessions that start after it). */
    static void insertAs(InstanceStatus instance, String password) throws SQLException {
        var props = new Properties();
        props.setProperty("user", APP);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5");
        try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://" + instance.getNetInfo().getWorkingHostIP() + ":"
                                + instance.getNetInfo().getWorkingPort() + "/postgres",
                        props);
                var insert = c.prepareStatement("insert into app_rows values (?)")) {
            insert.setLong(1, System.nanoTime());
            insert.executeUpdate();
        }
    }
}
