package io.polarstack.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's own part: its engine, the delegates it finds, what it prints. The builds: BuildImagesIT. */
class ImageBuildCommandTest {

    @TempDir
    Path base;

    @Test
    void aRejectedImageFileIsPrintedWithItsProblemsAndExitsOne() throws Exception {
        Files.writeString(base.resolve("image.yml"), "images: []\n");
        var console = new ByteArrayOutputStream();
        var builder = mock(ImageBuilder.class);
        var sources = mock(SourceRepository.class);
        int exit = new ImageBuildCommand(
                        new PrintStream(console, true, StandardCharsets.UTF_8),
                        builder,
                        sources,
                        new ImageBuildProperties("", base.resolve("work"), null, null),
                        ImageBuildCommand.shippedRetryProfiles())
                .build(base.resolve("image.yml"), false);
        assertThat(exit).isEqualTo(1);
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("Task_LoadImageFile done")
                .contains("image.yml rejected: ")
                .contains("images: must be a non-empty list of images");
        verifyNoInteractions(builder, sources);
    }

    @Test
    void theDelegatesAreFoundByTheNamesTheModelUses() throws Exception {
        var beans = ImageBuildCommand.delegates(
                mock(ImageBuilder.class), mock(SourceRepository.class), new ImageBuildProperties("", base, null, null));
        String model = Files.readString(Path.of("processes/build-images.bpmn"));
        var delegates = java.util.regex.Pattern.compile("delegateExpression=\"\\$\\{(\\w+)}\"")
                .matcher(model)
                .results()
                .map(m -> m.group(1))
                .toList();
        assertThat(delegates).hasSize(9);
        assertThat(beans).containsKeys(delegates.toArray(String[]::new)).containsKey("ids");
    }
}
