package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole app against the real kube-apiserver of scripts/test-env. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrchestratorKubernetesIT {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "kubernetes-it");
    }

    @LocalServerPort
    int port;

    @Autowired
    KubernetesClient kubernetes;

    @Autowired
    TestRestTemplate rest;

    @Autowired
    RuntimeService runtime;

    @Autowired
    HistoryService history;

    static final String START = "/engine-rest/process-definition/key/ConnectivityCheck/start";

    @Test
    void clientBeanListsNamespacesAndReadsAConfigMap() {
        assertThat(kubernetes.namespaces().list().getItems())
                .extracting(n -> n.getMetadata().getName())
                .contains("default", "kube-system");
        String name = "it-" + System.nanoTime();
        kubernetes
                .configMaps()
                .inNamespace("default")
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .addToData("catalog", "pg15")
                        .build())
                .create();
        try {
            assertThat(kubernetes
                            .configMaps()
                            .inNamespace("default")
                            .withName(name)
                            .get()
                            .getData())
                    .containsEntry("catalog", "pg15");
        } finally {
            kubernetes.configMaps().inNamespace("default").withName(name).delete();
        }
    }

    @Test
    void restStartRunsTheFlowAgainstTheRealApiServer() throws Exception {
        String namespace = "connectivity-" + System.nanoTime();
        TestEnvironment.createNamespace(kubernetes, namespace);
        var response = rest.withBasicAuth(AppTestSupport.ADMIN, AppTestSupport.ADMIN_PASSWORD)
                .postForEntity(
                        START,
                        json(Map.of(
                                "businessKey",
                                "it/check",
                                "variables",
                                Map.of("namespace", Map.of("value", namespace, "type", "String")))),
                        Map.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        String id = (String) response.getBody().get("id");
        var ended = AppTestSupport.awaitEnded(history, id, Duration.ofSeconds(30));
        assertThat(ended.getState()).isEqualTo("COMPLETED");
        assertThat(history.createHistoricActivityInstanceQuery()
                        .processInstanceId(id)
                        .activityId("EndEvent_Connected")
                        .count())
                .isEqualTo(1);
        assertThat(history.createHistoricVariableInstanceQuery()
                        .processInstanceId(id)
                        .variableName("kubernetesVersion")
                        .singleResult()
                        .getValue())
                .isEqualTo("v1.20.2");
    }

    @Test
    void withoutValidCredentialsRestAnswers401AndStartsNothing() {
        long before = runtime.createProcessInstanceQuery().count()
                + history.createHistoricProcessInstanceQuery().count();
        var body = json(Map.of("businessKey", "intruder"));
        assertThat(rest.postForEntity(START, body, String.class).getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(rest.withBasicAuth("nobody", "guess")
                        .postForEntity(START, body, String.class)
                        .getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(rest.getForEntity("/engine-rest/process-definition", String.class)
                        .getStatusCode())
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(runtime.createProcessInstanceQuery().count()
                        + history.createHistoricProcessInstanceQuery().count())
                .isEqualTo(before);
    }

    @Test
    void healthIsOpenAndTheWebappsAskForALogin() {
        var health = rest.getForEntity("/actuator/health", Map.class);
        assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(health.getBody()).containsEntry("status", "UP");
        assertThat(rest.getForEntity("/camunda/app/cockpit/default/", String.class)
                        .getStatusCode())
                .isEqualTo(HttpStatus.OK);
        assertThat(rest.getForEntity("/camunda/api/engine/engine/default/process-definition", String.class)
                        .getStatusCode()
                        .value())
                .isIn(401, 403);
    }

    @Test
    void webappLoginNeedsTheCsrfTokenAndTheRightPassword() throws Exception {
        var cookies = new CookieManager();
        var http = HttpClient.newBuilder().cookieHandler(cookies).build();
        String base = "http://localhost:" + port;
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/camunda/app/cockpit/default/"))
                        .build(),
                BodyHandlers.discarding());
        String token = cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals("XSRF-TOKEN"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie"))
                .getValue();
        String form = "username=" + AppTestSupport.ADMIN + "&password="
                + URLEncoder.encode(AppTestSupport.ADMIN_PASSWORD, StandardCharsets.UTF_8);
        Function<String, HttpRequest> login = csrf -> {
            var request = HttpRequest.newBuilder(
                            URI.create(base + "/camunda/api/admin/auth/user/default/login/cockpit"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(BodyPublishers.ofString(form));
            if (csrf != null) {
                request.header("X-XSRF-TOKEN", csrf);
            }
            return request.build();
        };
        assertThat(http.send(login.apply(null), BodyHandlers.discarding()).statusCode())
                .isEqualTo(403);
        // A rejected request invalidates the token: fetch a fresh one, as the browser would.
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/camunda/app/cockpit/default/"))
                        .build(),
                BodyHandlers.discarding());
        String fresh = cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals("XSRF-TOKEN"))
                .findFirst()
                .orElseThrow()
                .getValue();
        assertThat(http.send(login.apply(fresh), BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }

    static HttpEntity<Object> json(Object body) {
        var headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        return new HttpEntity<>(body, headers);
    }
}
