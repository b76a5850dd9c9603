package io.polarstack.orchestrator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.InstanceNetwork;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import io.polarstack.orchestrator.specs.AccountSecrets;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.ScratchPostgres;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * POST /api/v1/clusters/{ns}/{name}/failover on the real kube-apiserver: login required, a bad request is refused
 * with the reason and starts nothing, a good one starts the cluster's Failover, a second one while it runs is refused.
 * The RW is a real PostgreSQL (with the aurora account of the cluster's Secret), so an unplanned failover meets a RW
 * that answers, and one that does not. Job execution is off: the started flow is only looked at, not run (there are
 * no pods behind this cluster).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "camunda.bpm.job-execution.enabled=false")
class FailoverApiIT {

    static final String NS = "failover-api-" + System.nanoTime();
    static final String LOGIN = AppTestSupport.ADMIN + ":" + AppTestSupport.ADMIN_PASSWORD;
    static final String LOGIC_ID = "1001";
    static final String PASSWORD = "api-" + Long.toHexString(System.nanoTime());
    static KubernetesClient client;
    static ScratchPostgres rw;

    @DynamicPropertySource
    static void kubernetes(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "failover-api-it");
    }

    @LocalServerPort
    int port;

    @Autowired
    RuntimeService runtime;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void cluster() throws Exception {
        rw = ScratchPostgres.start("aurora", PASSWORD);
        client = TestEnvironment.kubernetes();
        TestEnvironment.installCrd(client);
        TestEnvironment.createNamespace(client, NS);
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg");
        var created = client.resource(cluster).create();
        client.resource(AccountSecrets.build(created, LOGIC_ID, AccountSecrets.Account.AURORA, PASSWORD))
                .create();
        var status = new MPDClusterStatus();
        status.setClusterStatus("Running");
        status.setLogicId(LOGIC_ID);
        status.setLeaderInstanceId("1002");
        status.setDbInstanceStatus(
                Map.of("1002", instance("1002", "rw", rw.port()), "1004", instance("1004", "ro", 5432)));
        created.setStatus(status);
        client.resource(created).updateStatus();
    }

    @AfterAll
    static void drop() {
        client.resources(MPDCluster.class).inNamespace(NS).withName("pg").delete();
        client.namespaces().withName(NS).delete();
        rw.close();
    }

    static InstanceStatus instance(String insId, String type, int port) {
        var instance = new InstanceStatus();
        instance.setInsId(insId);
        instance.setInsType(type);
        instance.setPodName("pg-" + insId);
        var net = new InstanceNetwork();
        net.setWorkingHostIP("127.0.0.1");
        net.setWorkingPort(port);
        instance.setNetInfo(net);
        return instance;
    }

    @Test
    void startsOneFailoverOnlyForAGoodRequestWithALogin() throws Exception {
        String path = "/api/v1/clusters/" + NS + "/pg/failover";
        assertThat(post(path, "{}", null).statusCode()).isEqualTo(401);

        var missing = post("/api/v1/clusters/" + NS + "/absent/failover", "{}", LOGIN);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("MPDCluster " + NS + "/absent does not exist");

        var notAnRo = post(path, "{\"insId\":\"1002\"}", LOGIN);
        assertThat(notAnRo.statusCode()).isEqualTo(400);
        assertThat(notAnRo.body()).contains("insId 1002 is not an RO", "[1004]");
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey(NS + "/pg")
                        .count())
                .as("nothing started")
                .isZero();

        var started = post(path, "{\"insId\":\"1004\"}", LOGIN);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        var instance = runtime.createProcessInstanceQuery()
                .processInstanceBusinessKey(NS + "/pg")
                .singleResult();
        assertThat(instance.getProcessDefinitionId()).startsWith("Failover:");
        assertThat(started.body()).contains(instance.getId());
        assertThat(runtime.getVariables(instance.getId()))
                .containsEntry("planned", true)
                .containsEntry("insId", "1004");
        assertThat(client.resources(MPDCluster.class)
                        .inNamespace(NS)
                        .withName("pg")
                        .get()
                        .getStatus()
                        .getFlow()
                        .getName())
                .isEqualTo("Failover");

        int forcedBefore = events("ForcedFailover").size();
        var busy = post(path, "{\"planned\":false,\"force\":true}", LOGIN);
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(busy.body()).contains("busy with Failover", instance.getId());
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey(NS + "/pg")
                        .count())
                .isEqualTo(1);
        assertThat(events("ForcedFailover")).as("refused, so not forced").hasSize(forcedBefore);
        runtime.deleteProcessInstance(instance.getId(), "test over");
    }

    @Test
    void anUnplannedFailoverOfARwThatAnswersNeedsForce() throws Exception {
        String path = "/api/v1/clusters/" + NS + "/pg/failover";
        var refused = post(path, "{\"planned\":false}", LOGIN);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body())
                .contains("RW 1002 at 127.0.0.1:" + rw.port() + " answered its probe", "planned", "force");
        assertThat(failovers()).as("nothing started").isEmpty();

        var forced = post(path, "{\"planned\":false,\"force\":true}", LOGIN);
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(202);
        var instance = failovers().get(0);
        assertThat(runtime.getVariables(instance.getId())).containsEntry("planned", false);
        assertThat(events("ForcedFailover"))
                .singleElement()
                .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"))
                .satisfies(e -> assertThat(e.getMessage())
                        .contains("forced by " + AppTestSupport.ADMIN, "RW 1002", instance.getId()));
        runtime.deleteProcessInstance(instance.getId(), "test over");
    }

    @Test
    void anUnplannedFailoverOfARwThatDoesNotAnswerNeedsNoForce() throws Exception {
        rw.stopServer();
        try {
            var started = post("/api/v1/clusters/" + NS + "/pg/failover", "{\"planned\":false}", LOGIN);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            var instance = failovers().get(0);
            assertThat(started.body()).contains(instance.getId());
            assertThat(runtime.getVariables(instance.getId())).containsEntry("planned", false);
            runtime.deleteProcessInstance(instance.getId(), "test over");
        } finally {
            rw.startServer();
        }
    }

    private List<ProcessInstance> failovers() {
        return runtime.createProcessInstanceQuery()
                .processInstanceBusinessKey(NS + "/pg")
                .list();
    }

    private static List<Event> events(String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }

    private HttpResponse<String> post(String path, String json, String login) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (login != null) {
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
