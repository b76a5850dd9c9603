package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.InstanceNetwork;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.OrchestratorProcess;
import io.polarstack.orchestrator.testing.ScratchPostgres;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two orchestrator processes (the packaged jar, two JVMs) on one PostgreSQL engine database race to start the same
 * cluster's flow, through /engine-rest on both, and through the domain REST on one and /engine-rest on the other:
 * each time exactly one start wins and the other gets a 409 naming the cluster and the running flow. A delete as
 * Cockpit does it (skipping custom listeners) frees the cluster: the next start works. Job execution is off, so the
 * started flows only hold their clusters; nothing acts on them.
 */
class ClusterFlowGuardIT {

    static final String NS = "flow-guard-" + System.nanoTime();
    static final String DB_USER = "engine";
    static final String DB_PASSWORD = "guard-" + Long.toHexString(System.nanoTime());
    static final String LOGIN = AppTestSupport.ADMIN_LOGIN;
    static final int ROUNDS = 8;

    static ScratchPostgres database;
    static KubernetesClient client;
    static final List<Process> replicas = new ArrayList<>();
    static final List<Integer> ports = new ArrayList<>();
    static Path work;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void twoReplicas() throws Exception {
        database = ScratchPostgres.start(DB_USER, DB_PASSWORD);
        client = TestEnvironment.kubernetes();
        TestEnvironment.installCrd(client);
        TestEnvironment.createNamespace(client, NS);
        cluster("pg");
        work = Files.createTempDirectory("flow-guard-it");
        // One after the other: two engines creating one schema at once would trip over each other.
        for (String replica : List.of("guard-a", "guard-b")) {
            int port = ScratchPostgres.freePort();
            Process process = start(replica, port);
            replicas.add(process);
            ports.add(port);
            awaitUp(process, port, replica);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process replica : replicas) {
            OrchestratorProcess.stop(replica);
        }
        if (client != null) {
            client.namespaces().withName(NS).delete();
            client.close();
        }
        if (database != null) {
            database.close();
        }
    }

    static Process start(String identity, int port) throws Exception {
        return OrchestratorProcess.serve(
                work.resolve(identity + ".log"),
                // Secrets through the environment, never argv.
                Map.of("SPRING_DATASOURCE_PASSWORD", DB_PASSWORD),
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "--server.port=" + port,
                "--orchestrator.data-dir=" + work.resolve(identity),
                "--orchestrator.kubernetes.kubeconfig=" + TestEnvironment.get("KUBECONFIG"),
                "--orchestrator.operator.enabled=false",
                "--orchestrator.operator.identity=" + identity,
                "--camunda.bpm.job-execution.enabled=false",
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres",
                "--spring.datasource.username=" + DB_USER);
    }

    static void awaitUp(Process process, int port, String identity) throws Exception {
        OrchestratorProcess.awaitUp(process, port, work.resolve(identity + ".log"));
    }

    static void cluster(String name) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName(name);
        var created = client.resource(cluster).create();
        var status = new MPDClusterStatus();
        status.setClusterStatus("Running");
        status.setLeaderInstanceId("1002");
        status.setDbInstanceStatus(Map.of("1002", instance("1002", "rw"), "1004", instance("1004", "ro")));
        created.setStatus(status);
        client.resource(created).updateStatus();
    }

    static InstanceStatus instance(String insId, String type) {
        var instance = new InstanceStatus();
        instance.setInsId(insId);
        instance.setInsType(type);
        instance.setPodName("pg-" + insId);
        var net = new InstanceNetwork();
        net.setWorkingHostIP("127.0.0.1");
        net.setWorkingPort(5432);
        instance.setNetInfo(net);
        return instance;
    }

    HttpRequest engineRestStart(int replica, String cluster, String flow) {
        String body = String.format(
                "{\"businessKey\":\"%s/%s\",\"variables\":{"
                        + "\"clusterNamespace\":{\"value\":\"%s\",\"type\":\"String\"},"
                        + "\"clusterName\":{\"value\":\"%s\",\"type\":\"String\"},"
                        + "\"planned\":{\"value\":true,\"type\":\"Boolean\"}}}",
                NS, cluster, NS, cluster);
        return post(replica, "/engine-rest/process-definition/key/" + flow + "/start", body);
    }

    HttpRequest domainFailover(int replica, String cluster) {
        return post(replica, "/api/v1/clusters/" + NS + "/" + cluster + "/failover", "{\"planned\":true}");
    }

    HttpRequest post(int replica, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(replica) + path))
                .header("Authorization", LOGIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** Sends both at the same moment (as far as two threads can). */
    List<HttpResponse<String>> race(HttpRequest first, HttpRequest second) throws Exception {
        var go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (HttpRequest request : List.of(first, second)) {
            sent.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return http.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Thread.sleep(100); // both threads are waiting at the latch
        go.countDown();
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (var future : sent) {
            responses.add(future.get());
        }
        return responses;
    }

    static final Pattern ID = Pattern.compile("\"(?:id|processInstanceId)\"\\s*:\\s*\"([^\"]+)\"");

    static String instanceId(HttpResponse<String> started) {
        var matcher = ID.matcher(started.body());
        assertThat(matcher.find()).as(started.body()).isTrue();
        return matcher.group(1);
    }

    /** Active top-level instances of the cluster, counted in the engine database itself. */
    static int activeFlows(String cluster) throws Exception {
        try (var connection = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres", DB_USER, DB_PASSWORD);
                var query = connection.prepareStatement("SELECT COUNT(*) FROM ACT_RU_EXECUTION"
                        + " WHERE ID_ = PROC_INST_ID_ AND SUPER_EXEC_ IS NULL AND BUSINESS_KEY_ = ?")) {
            query.setString(1, NS + "/" + cluster);
            try (var rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** Deletes as Cockpit's "Delete" does by default: custom listeners skipped. */
    void deleteAsCockpit(int replica, String instanceId) throws Exception {
        var deleted = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(replica)
                                + "/engine-rest/process-instance/" + instanceId + "?skipCustomListeners=true"))
                        .header("Authorization", LOGIN)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    }

    void assertOneWon(List<HttpResponse<String>> responses, String cluster, int winnerStatus) {
        var statuses = responses.stream().map(HttpResponse::statusCode).toList();
        assertThat(statuses)
                .as("%s", responses.stream().map(HttpResponse::body).toList())
                .containsExactlyInAnyOrder(winnerStatus, 409);
        var refused = responses.stream()
                .filter(r -> r.statusCode() == 409)
                .findFirst()
                .orElseThrow();
        assertThat(refused.body()).contains(NS + "/" + cluster, "busy with");
    }

    @Test
    void racingEngineRestStartsOnTwoReplicasLetExactlyOneWin() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String cluster = "race-" + round;
            // Different flows on purpose: the guard is per cluster, not per process key.
            var responses = race(engineRestStart(0, cluster, "Failover"), engineRestStart(1, cluster, "RemoveRo"));
            assertOneWon(responses, cluster, 200);
            assertThat(activeFlows(cluster)).isEqualTo(1);
            var winner = responses.stream()
                    .filter(r -> r.statusCode() == 200)
                    .findFirst()
                    .orElseThrow();
            var refused = responses.stream()
                    .filter(r -> r.statusCode() == 409)
                    .findFirst()
                    .orElseThrow();
            assertThat(refused.body()).contains(instanceId(winner));
            System.out.printf(
                    "round %d: won %s, refused: %s%n", round, winner.uri().getPort(), refused.body());

            deleteAsCockpit(round % 2, instanceId(winner));
            assertThat(activeFlows(cluster)).isZero();
            var again = http.send(
                    engineRestStart(1 - round % 2, cluster, "Failover"), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode())
                    .as("after the delete: %s", again.body())
                    .isEqualTo(200);
            deleteAsCockpit(0, instanceId(again));
        }
    }

    @Test
    void theDomainRestAndEngineRestRacingOnTwoReplicasLetExactlyOneWin() throws Exception {
        for (int round = 0; round < ROUNDS / 2; round++) {
            var responses = race(domainFailover(0, "pg"), engineRestStart(1, "pg", "Failover"));
            assertOneWon(responses, "pg", responses.get(0).statusCode() == 202 ? 202 : 200);
            assertThat(activeFlows("pg")).isEqualTo(1);
            var winner = responses.stream()
                    .filter(r -> r.statusCode() != 409)
                    .findFirst()
                    .orElseThrow();
            System.out.printf(
                    "domain round %d: %s won%n", round, winner.statusCode() == 202 ? "domain REST" : "engine-rest");

            var busy = http.send(domainFailover(1, "pg"), HttpResponse.BodyHandlers.ofString());
            assertThat(busy.statusCode()).as(busy.body()).isEqualTo(409);
            assertThat(busy.body()).contains("busy with Failover", instanceId(winner));

            deleteAsCockpit(1, instanceId(winner));
            assertThat(activeFlows("pg")).isZero();
        }
        var afterwards = http.send(domainFailover(1, "pg"), HttpResponse.BodyHandlers.ofString());
        assertThat(afterwards.statusCode()).as(afterwards.body()).isEqualTo(202);
        deleteAsCockpit(0, instanceId(afterwards));
    }
}
