package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded default (H2 file) keeps every commit it acknowledged when the orchestrator is killed right after it:
 * engine writes answered over /engine-rest, then kill -9 within milliseconds, then the same data directory started
 * again holds all of them. H2's default write delay lost the last half second of commits this way (a flow started just
 * before the kill was gone after the restart, and its cluster waited in the flow's state for good).
 */
class EmbeddedDatabaseKillIT {

    static final int WRITES = 30;

    final HttpClient http = HttpClient.newHttpClient();
    Process orchestrator;

    @AfterEach
    void stop() throws Exception {
        OrchestratorProcess.stop(orchestrator);
    }

    @Test
    void commitsAnsweredBeforeAKillAreThereAfterTheRestart() throws Exception {
        Path work = Files.createTempDirectory("embedded-kill-it");
        int port = ScratchPostgres.freePort();
        orchestrator = start(work, port, 1);

        List<String> acknowledged = new ArrayList<>();
        String run = Long.toHexString(System.nanoTime());
        for (int i = 0; i < WRITES; i++) {
            String id = "kill" + run + "n" + i; // user ids are letters and digits
            var created =
                    send(port, "POST", "/engine-rest/user/create", """
                    {"profile": {"id": "%s", "firstName": "Kill", "lastName": "Test"},
                     "credentials": {"password": "%s"}}""".formatted(id, AppTestSupport.ADMIN_PASSWORD));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(204);
            acknowledged.add(id);
        }
        OrchestratorProcess.kill(orchestrator);

        orchestrator = start(work, port, 2);
        List<String> missing = new ArrayList<>();
        for (String id : acknowledged) {
            if (send(port, "GET", "/engine-rest/user/" + id + "/profile", null).statusCode() != 200) {
                missing.add(id);
            }
        }
        assertThat(missing)
                .as("users whose creation was answered before the kill, missing after the restart")
                .isEmpty();
    }

    Process start(Path work, int port, int run) throws Exception {
        Path log = work.resolve("orchestrator-" + run + ".log");
        Process process = OrchestratorProcess.serve(
                log,
                Map.of(),
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "--server.port=" + port,
                "--orchestrator.data-dir=" + work.resolve("data"),
                "--orchestrator.kubernetes.kubeconfig=" + TestEnvironment.get("KUBECONFIG"),
                "--orchestrator.operator.enabled=false",
                "--camunda.bpm.job-execution.enabled=false");
        OrchestratorProcess.awaitUp(process, port, log);
        return process;
    }

    HttpResponse<String> send(int port, String method, String path, String json) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", AppTestSupport.ADMIN_LOGIN)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
