package io.polarstack.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.adapters.docker.DockerImageBuilder;
import io.polarstack.orchestrator.adapters.git.JGitSourceRepository;
import io.polarstack.orchestrator.flows.buildimages.BuildImagesVariables;
import io.polarstack.orchestrator.testing.FlowHarness;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BuildImages against the real dockerd and docker-registry of scripts/test-env, with a real git repository
 * (file://) holding a tiny engine "source"; the images are FROM scratch with Debian's static busybox.
 */
@Deployment(resources = "processes/build-images.bpmn")
class BuildImagesIT extends FlowHarness {

    static DockerImageBuilder docker;
    static String registry;
    /** The flow's work directory (one folder per run in it). */
    @TempDir
    static Path runs;

    @TempDir
    Path base;

    Path work;
    String prefix;
    final List<String> images = new ArrayList<>();
    Process privateRegistry;

    @BeforeAll
    static void daemon() {
        docker = new DockerImageBuilder(TestEnvironment.get("DOCKER_HOST"));
        registry = TestEnvironment.get("REGISTRY");
        builder = docker;
        sources = new JGitSourceRepository();
        imageBuild = new ImageBuildProperties("", runs, null, Duration.ofMinutes(5));
    }

    @AfterAll
    static void close() throws Exception {
        docker.close();
    }

    @BeforeEach
    void fixture() throws Exception {
        prefix = "it" + System.nanoTime();
        work = base.resolve("work");
        Path source = base.resolve("engine-src");
        Files.createDirectories(source.resolve("src/backend/utils/misc"));
        Files.writeString(
                source.resolve("configure"), "#!/bin/sh\nPACKAGE_NAME='PostgreSQL'\nPACKAGE_VERSION='11.9'\n");
        Files.writeString(
                source.resolve("src/backend/utils/misc/postgresql.conf.sample"),
                "port = 5432\nmax_connections = 100\n");
        Files.writeString(source.resolve("VERSION"), "tiny engine 11.9\n");
        git(source, "init", "-q", "-b", "POLARDB_11_STABLE");
        git(source, "add", "-A");
        git(source, "-c", "user.email=it@polarstack.invalid", "-c", "user.name=it", "commit", "-q", "-m", "engine");

        Files.createDirectories(base.resolve("rootfs"));
        Files.copy(Path.of(TestEnvironment.get("BUSYBOX")), base.resolve("rootfs/busybox"));
        Files.createDirectories(base.resolve("docker"));
        Files.writeString(base.resolve("docker/Dockerfile.engine"), """
                FROM scratch
                ARG POLAR_SOURCE_DIR
                ARG CodeVersion
                COPY rootfs/busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                COPY ${POLAR_SOURCE_DIR}/VERSION /engine/VERSION
                COPY rootfs/postgresql.conf.sample /postgresql.conf.sample
                RUN echo "$CodeVersion" > /engine/commit
                CMD ["/bin/sh", "-c", "cat /engine/VERSION /engine/commit; grep -c . /postgresql.conf.sample"]
                """);
        Files.writeString(base.resolve("docker/Dockerfile.manager"), """
                ARG ENGINE_IMAGE_FULL_NAME
                FROM ${ENGINE_IMAGE_FULL_NAME}
                RUN echo manager > /role
                CMD ["/bin/sh", "-c", "cat /role /engine/VERSION"]
                """);
        writeImageFile(registry);
        git(base, "init", "-q", "-b", "main");
        git(base, "add", "image.yml", "docker");
        git(base, "-c", "user.email=it@polarstack.invalid", "-c", "user.name=it", "commit", "-q", "-m", "images");
    }

    void writeImageFile(String pushTo) throws IOException {
        String engineSource = base.resolve("engine-src")
                .toUri()
                .toString()
                .replace("file:/", "file:///")
                .replace("file:////", "file:///");
        Files.writeString(base.resolve("image.yml"), """
                result: image.result
                images:
                  - id: engine_test
                    type: engine
                    build_image_name: %1$s/%2$s/engine_test
                    build_image_dockerfile: ./docker/Dockerfile.engine
                    engine_repo: %3$s
                    engine_branch: POLARDB_11_STABLE
                    engine_config_template: src/backend/utils/misc/postgresql.conf.sample
                    engine_release_date: 20210910
                  - id: engine_release
                    type: engine
                    build_image_name: %1$s/%2$s/engine_release
                    build_image_dockerfile: ./docker/Dockerfile.engine
                    engine_repo: %3$s
                    engine_branch: POLARDB_11_STABLE
                    engine_config_template: src/backend/utils/misc/postgresql.conf.sample
                  - id: manager
                    type: manager
                    build_image_name: %1$s/%2$s/manager
                    build_image_dockerfile: ./docker/Dockerfile.manager
                    engine_image_id: engine_release
                """.formatted(pushTo, prefix, engineSource));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String image : images) {
            try {
                docker.client().removeImageCmd(image).withForce(true).exec();
            } catch (RuntimeException gone) {
                // already removed by the test
            }
        }
        if (privateRegistry != null) {
            privateRegistry.destroy();
            privateRegistry.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theCommandBuildsClonesPushesWritesTheResultAndEveryImageRunsAfterAPull() throws Exception {
        var console = new ByteArrayOutputStream();
        int exit = new ImageBuildCommand(
                        new PrintStream(console, true, StandardCharsets.UTF_8),
                        docker,
                        new JGitSourceRepository(),
                        new ImageBuildProperties("", work, null, Duration.ofMinutes(5)),
                        ImageBuildCommand.shippedRetryProfiles())
                .build(base.resolve("image.yml"), false);
        String output = console.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        assertThat(output)
                .contains(
                        "[engine_test] Task_FetchEngineSource done",
                        "[engine_release] Task_BuildEngineImage done",
                        "[manager] Task_PushManagerImage done",
                        "all images built");

        List<String> result = Files.readAllLines(base.resolve("image.result"));
        images.addAll(result);
        String engineCommit =
                git(base.resolve("engine-src"), "rev-parse", "HEAD").strip();
        String selfCommit = git(base, "rev-parse", "HEAD").strip();
        assertThat(result).hasSize(3);
        assertThat(result.get(0))
                .matches(registry.replace(".", "\\.") + "/" + prefix + "/engine_test:11\\.9\\.20210910\\."
                        + engineCommit.substring(0, 8) + "\\.\\d{14}");
        assertThat(result.get(1)).contains("/engine_release:11.9.");
        assertThat(result.get(2)).matches(".*/manager:\\d{14}\\." + selfCommit.substring(0, 8));

        for (String image : result) {
            docker.client().removeImageCmd(image).withForce(true).exec();
            assertThat(docker.inspect(image)).isEmpty();
            docker.client().pullImageCmd(image).start().awaitCompletion(60, TimeUnit.SECONDS);
        }
        assertThat(run(result.get(0))).contains("tiny engine 11.9", engineCommit, "2");
        assertThat(run(result.get(1))).contains("tiny engine 11.9");
        assertThat(run(result.get(2))).contains("manager", "tiny engine 11.9");
    }

    @Test
    void aBrokenDockerfileStopsThatImageAtItsBuildStepAndARetryAfterTheFixCompletes() throws Exception {
        Files.writeString(base.resolve("docker/Dockerfile.manager"), """
                ARG ENGINE_IMAGE_FULL_NAME
                FROM ${ENGINE_IMAGE_FULL_NAME}
                RUN echo broken && exit 3
                """);
        String id = start();
        drive();
        exhaust("Task_BuildManagerImage");
        var incident = engine.getRuntimeService()
                .createIncidentQuery()
                .processInstanceId(id)
                .singleResult();
        assertThat(incident.getActivityId()).isEqualTo("Task_BuildManagerImage");
        assertThat(incident.getIncidentMessage())
                .contains("image 'manager'")
                .contains("returned a non-zero code: 3")
                .contains("manager.build.log");
        assertThat(Files.exists(base.resolve("image.result"))).isFalse();

        Files.writeString(base.resolve("docker/Dockerfile.manager"), """
                ARG ENGINE_IMAGE_FULL_NAME
                FROM ${ENGINE_IMAGE_FULL_NAME}
                RUN echo manager > /role
                CMD ["/bin/sh", "-c", "cat /role"]
                """);
        retry("Task_BuildManagerImage");
        drive();
        assertEnded(id);
        List<String> result = Files.readAllLines(base.resolve("image.result"));
        images.addAll(result);
        assertThat(run(result.get(2))).contains("manager");
    }

    @Test
    void aStoppedRegistryStopsThePushAndARetryAfterItIsBackCompletes() throws Exception {
        int port;
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        writeImageFile("127.0.0.1:" + port);
        String id = start();
        drive();
        exhaust("Task_PushEngineImage");
        var incidents = engine.getRuntimeService()
                .createIncidentQuery()
                .processInstanceId(id)
                .list();
        assertThat(incidents).hasSize(2).allSatisfy(incident -> {
            assertThat(incident.getActivityId()).isEqualTo("Task_PushEngineImage");
            assertThat(incident.getIncidentMessage())
                    .contains("push of image 'engine_")
                    .contains("127.0.0.1:" + port);
        });

        privateRegistry = startRegistry(port);
        retry("Task_PushEngineImage");
        drive();
        assertEnded(id);
        List<String> result = Files.readAllLines(base.resolve("image.result"));
        images.addAll(result);
        assertThat(result).hasSize(3).allMatch(name -> name.startsWith("127.0.0.1:" + port + "/"));
        var tags = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + port + "/v2/" + prefix + "/manager/tags/list"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(tags.body()).contains(result.get(2).substring(result.get(2).lastIndexOf(':') + 1));
    }

    void assertEnded(String id) {
        assertThat(engine.getRuntimeService()
                        .createProcessInstanceQuery()
                        .processInstanceId(id)
                        .count())
                .as("BuildImages " + id + " ended")
                .isZero();
    }

    String start() {
        return engine.getRuntimeService()
                .startProcessInstanceByKey(
                        BuildImagesVariables.PROCESS_KEY,
                        "images",
                        Map.of(
                                BuildImagesVariables.IMAGE_FILE,
                                base.resolve("image.yml").toString()))
                .getId();
    }

    /** Runs the image without network and returns what it printed. */
    static String run(String image) throws Exception {
        var client = docker.client();
        String container = client.createContainerCmd(image)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
                .exec()
                .getId();
        try {
            client.startContainerCmd(container).exec();
            Integer code = client.waitContainerCmd(container).start().awaitStatusCode(60, TimeUnit.SECONDS);
            var out = new StringBuilder();
            client.logContainerCmd(container)
                    .withStdOut(true)
                    .withStdErr(true)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    })
                    .awaitCompletion(30, TimeUnit.SECONDS);
            assertThat(code).as("exit code of %s: %s", image, out).isZero();
            return out.toString();
        } finally {
            client.removeContainerCmd(container).withForce(true).exec();
        }
    }

    Process startRegistry(int port) throws Exception {
        Path dir = base.resolve("registry");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log: {level: warn}
                storage: {filesystem: {rootdirectory: %s}}
                http: {addr: 127.0.0.1:%d}
                """.formatted(dir.resolve("data"), port));
        Process process = new ProcessBuilder(
                        "docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        var http = HttpClient.newHttpClient();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            try {
                if (http.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                                                .timeout(Duration.ofSeconds(2))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroy();
        throw new AssertionError("docker-registry on port " + port + " did not answer within 20 s; see " + dir);
    }

    static String git(Path dir, String... args) throws Exception {
        var command = new ArrayList<String>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as("git %s: %s", String.join(" ", args), out)
                .isZero();
        return out;
    }
}
