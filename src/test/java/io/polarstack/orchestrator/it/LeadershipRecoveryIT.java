package io.polarstack.orchestrator.it;

import static io.polarstack.orchestrator.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.OrchestratorApplication;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.operator.ClusterOperator;
import io.polarstack.orchestrator.operator.LeadershipHealthIndicator;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole app on an API server of its own (kube-api-test: its own etcd and kube-apiserver, so the shared one keeps
 * its CRD and never stops): started before the MPDCluster CRD exists, it watches once the CRD is applied and starts a
 * cluster's flow; with that API server frozen (SIGSTOP) past the renew deadline it stops leading, competes again when
 * the server is back (SIGCONT), leads again, and a cluster created afterwards gets its flow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeadershipRecoveryIT {

    static final String NS = "leadership";
    static final String IDENTITY = "leadership-it";

    KubeAPIServer server;
    KubernetesClient admin;
    ConfigurableApplicationContext app;
    Path work;
    long apiServerPid;

    @BeforeAll
    void setUp() throws Exception {
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withApiServerVersion("1.20.2")
                .withUpdateKubeConfig(false)
                .build());
        server.start();
        String kubeconfig = server.getKubeConfigYaml();
        work = Files.createTempDirectory("leadership-it");
        Path kubeconfigFile = work.resolve("kubeconfig");
        Files.writeString(kubeconfigFile, kubeconfig);
        admin = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build();
        apiServerPid =
                apiServerPid(URI.create(admin.getConfiguration().getMasterUrl()).getPort());
        TestEnvironment.createNamespace(admin, NS);
        assertThat(admin.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName("mpdclusters.mpd.polardb.aliyun.com")
                        .get())
                .as("no MPDCluster CRD before the orchestrator starts")
                .isNull();

        // As arguments: they win over application.yml (builder properties would only be defaults).
        app = new SpringApplicationBuilder(OrchestratorApplication.class)
                .run(
                        "--server.port=0",
                        "--orchestrator.data-dir=" + work.resolve("data"),
                        "--spring.datasource.url=jdbc:h2:mem:leadership-it;DB_CLOSE_DELAY=-1",
                        "--orchestrator.admin.password=" + AppTestSupport.ADMIN_PASSWORD,
                        "--orchestrator.kubernetes.kubeconfig=" + kubeconfigFile,
                        "--orchestrator.operator.enabled=true",
                        "--orchestrator.operator.identity=" + IDENTITY,
                        "--orchestrator.operator.namespaces=" + NS,
                        "--orchestrator.operator.lease-namespace=" + NS);
    }

    @AfterAll
    void tearDown() throws Exception {
        if (apiServerPid > 0) {
            signal("CONT", apiServerPid); // never leave it frozen, whatever failed
        }
        if (app != null) {
            app.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.stop();
        }
        if (work != null) {
            new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor();
        }
    }

    @Test
    @Order(1)
    void startedBeforeItsCrdItWatchesOnceTheCrdIsApplied() throws Exception {
        ClusterOperator operator = app.getBean(ClusterOperator.class);
        await(Duration.ofSeconds(60), () -> "leading", operator::leading);
        Thread.sleep(3000); // the informer's first list has failed by now: the type is not served

        long applied = System.nanoTime();
        TestEnvironment.installCrd(admin);
        createCluster("early");
        await(Duration.ofSeconds(90), () -> "a flow for the cluster created after the CRD", () -> flows("early") > 0);
        System.out.printf(
                "CRD applied after the start: the cluster's flow started %.1f s later%n",
                (System.nanoTime() - applied) / 1e9);
    }

    @Test
    @Order(2)
    void afterTheApiServerFrozePastTheRenewDeadlineTheReplicaLeadsAgain() throws Exception {
        ClusterOperator operator = app.getBean(ClusterOperator.class);
        var health = app.getBean(LeadershipHealthIndicator.class);
        await(Duration.ofSeconds(60), () -> "leading", operator::leading);
        assertThat(health.health().getDetails()).containsEntry("state", "leader");
        assertThat(httpStatus("/actuator/health/leadership")).isEqualTo(200);

        Set<String> seen = new LinkedHashSet<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                var h = health.health();
                seen.add(h.getStatus().getCode() + "/" + h.getDetails().get("state"));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.start();
        try {
            long frozen = System.nanoTime();
            signal("STOP", apiServerPid);
            try {
                await(
                        Duration.ofSeconds(40),
                        () -> "leadership given up while the API server is frozen",
                        () -> !operator.leading());
                double stopped = (System.nanoTime() - frozen) / 1e9;
                Thread.sleep(10_000); // frozen past the lease duration, as a partition would be
                System.out.printf("API server frozen: stopped leading after %.1f s%n", stopped);
            } finally {
                signal("CONT", apiServerPid);
            }
            long resumed = System.nanoTime();
            await(Duration.ofSeconds(90), () -> "leading again after the API server is back", operator::leading);
            System.out.printf(
                    "API server back: leading again after %.1f s (frozen %.1f s in all)%n",
                    (System.nanoTime() - resumed) / 1e9, (resumed - frozen) / 1e9);
        } finally {
            watching.set(false);
            watcher.join();
        }
        assertThat(seen).as("health while frozen, then after").contains("UP/follower", "UP/leader");
        assertThat(health.health().getDetails())
                .containsEntry("state", "leader")
                .containsEntry("holder", IDENTITY);

        createCluster("late");
        await(
                Duration.ofSeconds(90),
                () -> "a flow for the cluster created after leading again",
                () -> flows("late") > 0);
    }

    // ---- helpers ----

    void createCluster(String name) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName(name);
        admin.resource(cluster).create();
    }

    long flows(String name) {
        return app.getBean(HistoryService.class)
                .createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey(NS + "/" + name)
                .count();
    }

    int httpStatus(String path) throws Exception {
        String port = app.getEnvironment().getProperty("local.server.port");
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** The kube-apiserver kube-api-test started for this class: a child of this JVM serving {@code port}. */
    static long apiServerPid(int port) {
        List<ProcessHandle> found = ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("kube-apiserver"))
                .filter(p -> p.info().commandLine().orElse("").contains("--secure-port " + port))
                .toList();
        assertThat(found).as("this class's kube-apiserver process").hasSize(1);
        return found.get(0).pid();
    }

    static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                        .inheritIO()
                        .start()
                        .waitFor())
                .isZero();
    }
}
