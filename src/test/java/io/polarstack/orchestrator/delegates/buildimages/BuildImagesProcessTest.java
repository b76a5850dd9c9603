package io.polarstack.orchestrator.delegates.buildimages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.flows.buildimages.BuildImagesVariables;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;

/** BuildImages on an in-memory engine with mocked ports and a real image.yml, Dockerfiles and rootfs on disk. */
@Deployment(resources = "processes/build-images.bpmn")
class BuildImagesProcessTest extends FlowHarness {

    static final Path WORK = tempFolder();
    static final String ENGINE_COMMIT = "59fcf529aa0123456789abcdef0123456789abcd";
    static final String SELF_COMMIT = "700bf8dbcc0123456789abcdef0123456789abcd";

    @BeforeAll
    static void ports() {
        imageBuild = new ImageBuildProperties("", WORK, null, Duration.ofMinutes(5));
    }

    @TempDir
    Path base;
    /** Images the mocked daemon holds, with their labels. */
    final Map<String, Map<String, String>> built = new HashMap<>();

    @BeforeEach
    void init() throws IOException {
        Files.createDirectories(base.resolve("docker"));
        Files.createDirectories(base.resolve("rootfs"));
        Files.writeString(base.resolve("rootfs/supervisor.sh"), "#!/bin/sh\n");
        Files.writeString(base.resolve("docker/Dockerfile.engine"), "FROM scratch\n");
        Files.writeString(
                base.resolve("docker/Dockerfile.manager"),
                "ARG ENGINE_IMAGE_FULL_NAME\nFROM ${ENGINE_IMAGE_FULL_NAME}\n");
        Files.writeString(base.resolve("image.yml"), """
                result: out/image.result
                images:
                  - id: engine_test
                    type: engine
                    build_image_name: polardb_pg/engine_test
                    build_image_dockerfile: ./docker/Dockerfile.engine
                    engine_repo: file:///src/engine.git
                    engine_branch: POLARDB_11_STABLE
                    engine_config_template: src/postgresql.conf.sample
                    engine_release_date: 20210910
                    push: false
                  - id: engine_release
                    type: engine
                    build_image_name: 127.0.0.1:5000/polardb_pg/engine_release
                    build_image_dockerfile: ./docker/Dockerfile.engine
                    engine_repo: file:///src/engine.git
                    engine_branch: POLARDB_11_STABLE
                  - id: manager
                    type: manager
                    build_image_name: 127.0.0.1:5000/polardb_pg/manager
                    build_image_dockerfile: ./docker/Dockerfile.manager
                    engine_image_id: engine_release
                """);
        when(sources.cloneShallow(anyString(), anyString(), any())).thenAnswer(call -> {
            Path target = call.getArgument(2);
            Files.createDirectories(target.resolve("src"));
            Files.writeString(target.resolve("configure"), "PACKAGE_NAME='PostgreSQL'\nPACKAGE_VERSION='11.9'\n");
            Files.writeString(target.resolve("src/postgresql.conf.sample"), "port = 5432\n");
            return new SourceRepository.Revision("file:///src/engine.git", "POLARDB_11_STABLE", ENGINE_COMMIT);
        });
        when(sources.describe(any()))
                .thenAnswer(call -> Optional.of(
                        ((Path) call.getArgument(0)).startsWith(WORK)
                                ? new SourceRepository.Revision(
                                        "file:///src/engine.git", "POLARDB_11_STABLE", ENGINE_COMMIT)
                                : new SourceRepository.Revision("file:///src/self.git", "main", SELF_COMMIT)));
        when(builder.inspect(anyString()))
                .thenAnswer(call -> Optional.ofNullable(built.get(call.<String>getArgument(0)))
                        .map(labels -> new ImageBuilder.ImageInfo("sha256:1", labels)));
        when(builder.build(any(), any())).thenAnswer(call -> {
            ImageBuilder.BuildRequest request = call.getArgument(0);
            assertThat(request.context().resolve("Dockerfile")).exists();
            call.<java.util.function.Consumer<String>>getArgument(1).accept("Step 1/1 : FROM scratch");
            built.put(request.image(), request.labels());
            return "sha256:" + request.image().hashCode();
        });
    }

    @Test
    void happyPathBuildsEnginesThenTheManagerOnItsEnginePushesAndWritesTheResult() throws IOException {
        var instance = start();
        drive();

        BpmnAwareTests.assertThat(instance).isEnded().hasPassed("EndEvent_ImagesBuilt");
        List<String> result = Files.readAllLines(base.resolve("out/image.result"));
        assertThat(result).hasSize(3);
        assertThat(result.get(0)).matches("polardb_pg/engine_test:11\\.9\\.20210910\\.59fcf529\\.\\d{14}");
        assertThat(result.get(1))
                .matches("127\\.0\\.0\\.1:5000/polardb_pg/engine_release:11\\.9\\.\\d{8}\\.59fcf529\\.\\d{14}");
        assertThat(result.get(2)).matches("127\\.0\\.0\\.1:5000/polardb_pg/manager:\\d{14}\\.700bf8db");

        var requests = ArgumentCaptor.forClass(ImageBuilder.BuildRequest.class);
        verify(builder, times(3)).build(requests.capture(), any());
        var manager = requests.getAllValues().get(2);
        assertThat(manager.image()).isEqualTo(result.get(2));
        assertThat(manager.buildArgs())
                .containsEntry("ENGINE_IMAGE_FULL_NAME", result.get(1))
                .containsEntry("PolarVersion", SELF_COMMIT);
        var engine = requests.getAllValues().stream()
                .filter(r -> r.image().equals(result.get(0)))
                .findFirst()
                .orElseThrow();
        assertThat(engine.buildArgs())
                .containsEntry("CodeVersion", ENGINE_COMMIT)
                .containsEntry("CodeBranch", "POLARDB_11_STABLE")
                .containsEntry("POLAR_SOURCE_DIR", "polardb_pg")
                .containsKey("BuildBy");
        verify(builder, never()).push(eq(result.get(0)), any(), any());
        verify(builder).push(eq(result.get(1)), any(), any());
        verify(builder).push(eq(result.get(2)), any(), any());
        Path runDir = Path.of((String) historicVariable(instance, BuildImagesVariables.RUN_DIR));
        assertThat(runDir.resolve("engine_test.build.log")).content().contains("Step 1/1 : FROM scratch");
        assertThat(runDir.resolve("engine_test")).doesNotExist(); // contexts go once their image is built
    }

    @Test
    void theTemplateIsCopiedIntoTheContextBeforeTheBuild() {
        doAnswer(call -> {
                    ImageBuilder.BuildRequest request = call.getArgument(0);
                    if (request.image().startsWith("polardb_pg/engine_test")) {
                        assertThat(request.context().resolve("rootfs/postgresql.conf.sample"))
                                .hasContent("port = 5432");
                        assertThat(request.context().resolve("rootfs/supervisor.sh"))
                                .exists();
                    }
                    built.put(request.image(), request.labels());
                    return "sha256:x";
                })
                .when(builder)
                .build(any(), any());
        var instance = start();
        drive();
        BpmnAwareTests.assertThat(instance).isEnded().hasPassed("EndEvent_ImagesBuilt");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_FetchEngineSource",
                "Task_BuildEngineImage",
                "Task_PushEngineImage",
                "Task_BuildManagerImage",
                "Task_PushManagerImage"
            })
    void aFailingExternalStepEndsInAnIncidentThereAndARetryAfterTheFixCompletes(String step) throws IOException {
        RuntimeException cause = new IllegalStateException("simulated outage at " + step);
        switch (step) {
            case "Task_FetchEngineSource" -> doThrow(cause).when(sources).cloneShallow(anyString(), anyString(), any());
            case "Task_BuildEngineImage", "Task_BuildManagerImage" ->
                doAnswer(call -> {
                            ImageBuilder.BuildRequest request = call.getArgument(0);
                            boolean manager = request.image().contains("/manager:");
                            if (manager == step.equals("Task_BuildManagerImage")) {
                                throw cause;
                            }
                            built.put(request.image(), request.labels());
                            return "sha256:ok";
                        })
                        .when(builder)
                        .build(any(), any());
            case "Task_PushEngineImage", "Task_PushManagerImage" ->
                doAnswer(call -> {
                            boolean manager = call.<String>getArgument(0).contains("/manager:");
                            if (manager == step.equals("Task_PushManagerImage")) {
                                throw cause;
                            }
                            return null;
                        })
                        .when(builder)
                        .push(anyString(), any(), any());
            default -> throw new IllegalArgumentException(step);
        }
        var instance = start();
        drive();
        exhaust(step);

        BpmnAwareTests.assertThat(instance).isNotEnded();
        var incidents = runtimeService()
                .createIncidentQuery()
                .processInstanceId(instance.getId())
                .list();
        assertThat(incidents).isNotEmpty().allSatisfy(incident -> {
            assertThat(incident.getActivityId()).isEqualTo(step);
            assertThat(incident.getIncidentMessage())
                    .contains("simulated outage")
                    .contains("retry this step");
        });
        assertThat(Files.exists(base.resolve("out/image.result"))).isFalse();

        // The cause is fixed: the daemon, registry or repository works again.
        reset(builder);
        when(builder.inspect(anyString()))
                .thenAnswer(call -> Optional.ofNullable(built.get(call.<String>getArgument(0)))
                        .map(labels -> new ImageBuilder.ImageInfo("sha256:1", labels)));
        when(builder.build(any(), any())).thenAnswer(call -> {
            ImageBuilder.BuildRequest request = call.getArgument(0);
            built.put(request.image(), request.labels());
            return "sha256:ok";
        });
        if (step.equals("Task_FetchEngineSource")) {
            reset(builder, sources); // as before the test: init stubs both again
            init();
        }
        retry(step);
        drive();
        BpmnAwareTests.assertThat(instance).isEnded().hasPassed("EndEvent_ImagesBuilt");
        assertThat(Files.readAllLines(base.resolve("out/image.result"))).hasSize(3);
    }

    @Test
    void aBuildStepRepeatedInTheSameRunFindsItsImageAndBuildsNothing() {
        var instance = start();
        drive();
        BpmnAwareTests.assertThat(instance).isEnded();
        verify(builder, times(3)).build(any(), any());

        // Jobs are at-least-once: run the engine_test build step again with that run's variables.
        var execution = mock(org.camunda.bpm.engine.delegate.DelegateExecution.class);
        for (String name : List.of(
                BuildImagesVariables.IMAGE_FILE_CONTENT,
                BuildImagesVariables.BASE_DIR,
                BuildImagesVariables.RUN_DIR,
                BuildImagesVariables.BUILD_RUN,
                BuildImagesVariables.BUILD_BY,
                BuildImagesVariables.builtImage("engine_test"))) {
            when(execution.getVariable(name)).thenReturn(historicVariable(instance, name));
        }
        when(execution.getVariable(BuildImagesVariables.IMAGE_ID)).thenReturn("engine_test");
        new BuildEngineImageDelegate(builder, sources, new ImageBuildProperties("", WORK, null, Duration.ofMinutes(5)))
                .execute(execution);
        verify(builder, times(3)).build(any(), any());

        // Another run (another label) builds the image again.
        var second = start();
        drive();
        verify(builder, times(6)).build(any(), any());
    }

    @Test
    void anInvalidImageFileEndsAtItsErrorEndWithTheProblemsAndBuildsNothing() throws IOException {
        Files.writeString(base.resolve("image.yml"), """
                images:
                  - id: manager
                    type: manager
                    build_image_name: polardb_pg/manager
                    build_image_dockerfile: ./docker/Dockerfile.manager
                    engine_image_id: engine_missing
                """);
        var instance = start();
        drive();
        BpmnAwareTests.assertThat(instance)
                .isEnded()
                .hasPassed("EndEvent_InvalidImageFile")
                .hasNotPassed("EndEvent_ImagesBuilt");
        assertThat((String) historicVariable(instance, BuildImagesVariables.ERROR_MESSAGE))
                .contains("image 'manager': engine_image_id: 'engine_missing' names no image");
        verify(builder, never()).build(any(), any());
    }

    ProcessInstance start() {
        return runtimeService()
                .startProcessInstanceByKey(
                        "BuildImages",
                        "images",
                        Map.of(
                                BuildImagesVariables.IMAGE_FILE,
                                base.resolve("image.yml").toString()));
    }

    static Object historicVariable(ProcessInstance instance, String name) {
        return BpmnAwareTests.historyService()
                .createHistoricVariableInstanceQuery()
                .processInstanceId(instance.getId())
                .variableName(name)
                .singleResult()
                .getValue();
    }

    private static Path tempFolder() {
        try {
            return Files.createTempDirectory("build-images-process-test");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
