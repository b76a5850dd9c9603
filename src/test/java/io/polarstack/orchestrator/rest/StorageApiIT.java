package io.polarstack.orchestrator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.testing.AppTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on its HTTP port: /api/v1/storage answers only to an engine user, like /engine-rest,
 * and lists what the hosts of the real kube-apiserver's Nodes see.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "camunda.bpm.job-execution.enabled=false",
            "orchestrator.storage.node-selector=storage-api-it=none"
        })
class StorageApiIT {

    @DynamicPropertySource
    static void kubernetes(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "storage-api-it");
    }

    @LocalServerPort
    int port;

    @Autowired
    StorageFabric storage;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void storageApiNeedsAnEngineLogin() throws Exception {
        assertThat(get("/api/v1/storage/luns", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/storage/luns", "admin:wrong").statusCode()).isEqualTo(401);
        assertThat(get("/engine-rest/process-definition", null).statusCode()).isEqualTo(401);

        // One wrong password neither locks nor delays the user (failed logins count per address, up to a limit).
        String login = AppTestSupport.ADMIN + ":" + AppTestSupport.ADMIN_PASSWORD;
        HttpResponse<String> ok = get("/api/v1/storage/luns", login);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("[]");
        assertThat(storage.hosts()).isEmpty();
        assertThat(get("/api/v1/storage/hosts/absent/luns", login).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path, String login) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET();
        if (login != null) {
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
