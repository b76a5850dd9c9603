package io.polarstack.orchestrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code image build} as a user runs it: the packaged jar, from a folder of its own. */
class ImageCommandIT {

    static final Path JAR = Path.of("target/orchestrator.jar").toAbsolutePath();

    @TempDir
    Path folder;

    @Test
    void aRejectedImageFileIsReportedProblemByProblemWithAFailingExitCode() throws Exception {
        Files.createDirectories(folder.resolve("docker"));
        Files.writeString(folder.resolve("docker/Dockerfile.engine"), "FROM scratch\n");
        Files.writeString(folder.resolve("docker/Dockerfile.manager"), "FROM scratch\n");
        Files.writeString(folder.resolve("image.yml"), """
                images:
                  - id: engine
                    type: engine
                    enable: false
                    build_image_name: polardb_pg/polardb_pg_engine:local
                    build_image_dockerfile: ./docker/Dockerfile.engine
                  - id: manager
                    type: manager
                    enable: true
                    engine_image_id: engine
                    build_image_name: polardb_pg/polardb_pg_manager:local
                    build_image_dockerfile: ./docker/Dockerfile.manager
                  - id: other
                    type: engine
                    enable: maybe
                """);

        Result result = run("image", "build", "-f", "image.yml");

        assertThat(result.exit()).as(result.output()).isEqualTo(1);
        assertThat(result.output())
                .contains("image.yml rejected")
                .contains("image 'manager': engine_image_id: 'engine' is disabled")
                .contains("image 'other': enable: 'maybe' is not true or false")
                .contains("image 'other': build_image_name: missing")
                .contains("image 'other': build_image_dockerfile: missing");
    }

    @Test
    void helpIsNoError() throws Exception {
        Result result = run("image", "build", "--help");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("usage: java -jar orchestrator.jar image build -f image.yml");
    }

    record Result(int exit, String output) {}

    Result run(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        argv.addAll(List.of(args));
        Process process = new ProcessBuilder(argv)
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(output).isTrue();
        return new Result(process.exitValue(), output);
    }
}
