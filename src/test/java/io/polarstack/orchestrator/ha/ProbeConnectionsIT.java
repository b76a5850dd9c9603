package io.polarstack.orchestrator.ha;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.adapters.jdbc.JdbcEngineProbe;
import io.polarstack.orchestrator.adapters.k8s.TestClusterResources;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.LeadershipHealthIndicator;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe.Outcome;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.service.InstanceProbe;
import io.polarstack.orchestrator.specs.AccountSecrets;
import io.polarstack.orchestrator.testing.ScratchPostgres;
import io.polarstack.orchestrator.testing.TestEngines;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The HA monitor's probe connections, counted on the PostgreSQL side (pg_stat_activity, application_name
 * polarstack-ha): one per watched engine, closed when its instance moves to another engine, when its cluster is
 * deleted, and when this replica loses the Lease (another holder takes it, as a second replica would); a one-off probe
 * keeps none. The replica competes again and, once it leads again, probes again. Real kube-apiserver (a namespace and
 * Lease of its own), two real PostgreSQL servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeConnectionsIT {

    static final String NS = "probe-connections-" + System.nanoTime();
    static final String PASSWORD = "aurora-" + Long.toHexString(System.nanoTime());
    static final String LOGIC_ID = "1000";
    static final String RW = "1002";
    static final String IDENTITY = "probe-connections-it";

    KubernetesClient admin;
    ClusterResources resources;
    ProcessEngine engine;
    ClusterOperator operator;
    JdbcEngineProbe probe;
    HaMonitor monitor;
    ScratchPostgres first;
    ScratchPostgres second;

    @BeforeAll
    void setUp() throws Exception {
        first = ScratchPostgres.start("aurora", PASSWORD);
        second = ScratchPostgres.start("aurora", PASSWORD);
        admin = TestEnvironment.kubernetes();
        TestEnvironment.installCrd(admin);
        TestEnvironment.createNamespace(admin, NS);
        resources = TestClusterResources.of(admin);
        engine = TestEngines.inMemory("probe-connections-it", new HashMap<>());
        var properties = new OrchestratorProperties(
                Map.of(),
                null,
                null,
                null,
                new OrchestratorProperties.Operator(
                        true, null, List.of(NS), NS, IDENTITY, NS, Duration.ofMinutes(1), false, 0),
                new OrchestratorProperties.Ha(
                        true,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(30),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(30)));
        var flows = new ClusterFlows(
                engine.getRuntimeService(), engine.getRepositoryService(), engine.getManagementService(), properties);
        operator = new ClusterOperator(resources, new ClusterStatusWriter(resources), flows, properties);
        probe = new JdbcEngineProbe();
        monitor = new HaMonitor(
                resources,
                new ClusterStatusWriter(resources),
                flows,
                operator,
                probe,
                properties,
                new SimpleMeterRegistry());
        operator.start();
        await(Duration.ofSeconds(30), () -> "this replica leads", operator::leading);
        monitor.start();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (monitor != null) {
            monitor.stop();
        }
        if (operator != null) {
            operator.stop();
        }
        if (probe != null) {
            probe.close();
        }
        if (engine != null) {
            engine.close();
        }
        for (var pg : new ScratchPostgres[] {first, second}) {
            if (pg != null) {
                pg.close();
            }
        }
        if (admin != null) {
            admin.resources(MPDCluster.class).inNamespace(NS).list().getItems().forEach(this::delete);
            admin.namespaces().withName(NS).delete();
            admin.close();
        }
    }

    @Test
    @Order(1)
    void anInstanceThatMovesOrWhoseClusterIsDeletedKeepsNoConnection() throws Exception {
        cluster("moving", first.port());
        await(Duration.ofSeconds(20), () -> "a probe connection to the RW", () -> probeSessions(first) == 1);
        resources.updateStatus(
                NS,
                "moving",
                status -> status.getDbInstanceStatus().get(RW).getNetInfo().setWorkingPort(second.port()));
        await(Duration.ofSeconds(20), () -> "a probe connection at the new place", () -> probeSessions(second) == 1);
        await(
                Duration.ofSeconds(20),
                () -> "the old place's connection closed (" + probeSessions(first) + " left)",
                () -> probeSessions(first) == 0);

        delete(admin.resources(MPDCluster.class)
                .inNamespace(NS)
                .withName("moving")
                .get());
        await(
                Duration.ofSeconds(20),
                () -> "the deleted cluster's connection closed (" + probeSessions(second) + " left)",
                () -> probeSessions(second) == 0);
    }

    @Test
    @Order(2)
    void aOneOffProbeAsAFlowStepMakesItKeepsNothing() throws Exception {
        MPDCluster cluster = cluster("once", first.port());
        await(Duration.ofSeconds(20), () -> "the monitor's probe connection", () -> probeSessions(first) == 1);
        InstanceStatus rw = cluster.getStatus().getDbInstanceStatus().get(RW);
        rw.getNetInfo().setWorkingPort(second.port()); // an engine the monitor does not watch
        var result = new InstanceProbe(resources, probe).probe(cluster, rw, Duration.ofSeconds(2));
        assertThat(result.outcome()).isEqualTo(Outcome.OK);
        await(
                Duration.ofSeconds(10),
                () -> "the one-off probe's connection closed (" + probeSessions(second) + " left)",
                () -> probeSessions(second) == 0);
        assertThat(probeSessions(first)).as("the monitor's own stays").isEqualTo(1);
    }

    @Test
    @Order(3)
    void losingTheLeaseClosesTheConnectionsAndTheReplicaLeadsAgain() throws Exception {
        var health = new LeadershipHealthIndicator(operator);
        assertThat(health.health().getDetails()).containsEntry("state", "leader");
        assertThat(probeSessions(first)).isEqualTo(1);

        long taken = System.nanoTime();
        takeLease("another-replica");
        await(Duration.ofSeconds(20), () -> "leadership lost", () -> !operator.leading());
        double lost = (System.nanoTime() - taken) / 1e9;
        await(
                Duration.ofSeconds(10),
                () -> "the probe connection closed on losing the Lease (" + probeSessions(first) + " left)",
                () -> probeSessions(first) == 0);
        double closed = (System.nanoTime() - taken) / 1e9;
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat(health.health().getDetails()).containsEntry("state", "follower");

        // "another-replica" never renews: once its Lease expires this replica takes it again.
        await(Duration.ofSeconds(60), () -> "leading again", operator::leading);
        double again = (System.nanoTime() - taken) / 1e9;
        assertThat(health.health().getDetails())
                .containsEntry("state", "leader")
                .containsEntry("holder", IDENTITY);
        await(Duration.ofSeconds(20), () -> "probing again", () -> probeSessions(first) == 1);
        System.out.printf(
                "Lease taken by another holder: stopped leading after %.1f s, probe connection closed after %.1f s,"
                        + " leading again after %.1f s (lease duration 15 s)%n",
                lost, closed, again);
    }

    // ---- helpers ----

    /** Writes {@code holder} into the Lease as a replica that just acquired it would (again after a conflict). */
    void takeLease(String holder) {
        for (int attempt = 1; ; attempt++) {
            try {
                admin.resources(Lease.class)
                        .inNamespace(NS)
                        .withName("polarstack-orchestrator")
                        .edit(lease -> {
                            lease.getSpec().setHolderIdentity(holder);
                            lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                            return lease;
                        });
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    MPDCluster cluster(String name, int rwPort) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName(name);
        cluster.getSpec().setFollowerNum(0);
        cluster = admin.resource(cluster).create();
        admin.resource(AccountSecrets.build(cluster, LOGIC_ID, AccountSecrets.Account.AURORA, PASSWORD))
                .create();
        return resources.updateStatus(NS, name, status -> {
            status.setClusterStatus("Running");
            status.setLogicId(LOGIC_ID);
            status.setLeaderInstanceId(RW);
            status.setDbInstanceStatus(new HashMap<>(Map.of(RW, HaMonitorIT.instance(RW, "rw", rwPort))));
            Conditions.set(status, Conditions.AUTO_FAILOVER, true, "Enabled", "EnableHa");
        });
    }

    void delete(MPDCluster cluster) {
        if (cluster == null) {
            return;
        }
        admin.resources(MPDCluster.class)
                .inNamespace(NS)
                .withName(cluster.getMetadata().getName())
                .edit(c -> {
                    c.getMetadata().setFinalizers(List.of());
                    return c;
                });
        admin.resources(MPDCluster.class)
                .inNamespace(NS)
                .withName(cluster.getMetadata().getName())
                .delete();
    }

    /** Sessions of the HA monitor's application name on {@code pg}, asked on a connection of the test's own. */
    static int probeSessions(ScratchPostgres pg) {
        Properties login = new Properties();
        login.setProperty("user", "aurora");
        login.setProperty("password", PASSWORD);
        login.setProperty("ApplicationName", "probe-connections-it");
        try (Connection connection =
                        DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", login);
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                                + JdbcEngineProbe.APPLICATION_NAME + "'")) {
            rows.next();
            return rows.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
