package io.polarstack.orchestrator.delegates.buildimages;

import static io.polarstack.orchestrator.flows.buildimages.BuildImagesVariables.*;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.flows.JobLockLease;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;
import io.polarstack.orchestrator.service.images.BuildContexts;
import io.polarstack.orchestrator.service.images.ImageFile;
import io.polarstack.orchestrator.service.images.ImageSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the per-image steps share: the parsed file, the run's folders, build and push with their output kept. */
final class ImageSteps {

    /** Build and push output, one line per daemon line, prefixed with the image id. */
    static final Logger OUTPUT = LoggerFactory.getLogger("io.polarstack.orchestrator.images.output");

    private ImageSteps() {}

    static ImageFile imageFile(DelegateExecution execution) {
        return ImageFile.parse(
                (String) execution.getVariable(IMAGE_FILE_CONTENT),
                Path.of((String) execution.getVariable(BASE_DIR)),
                "image.yml");
    }

    static String imageId(DelegateExecution execution) {
        return (String) execution.getVariable(IMAGE_ID);
    }

    static BuildContexts contexts(DelegateExecution execution) {
        return new BuildContexts(Path.of((String) execution.getVariable(RUN_DIR)));
    }

    static String builtImageName(DelegateExecution execution, String imageId) {
        String name = (String) execution.getVariable(builtImage(imageId));
        if (name == null) {
            throw new IllegalStateException(
                    "no name was chosen for image '" + imageId + "'; its prepare step has not run");
        }
        return name;
    }

    static String tagOrGenerated(ImageSpec image, String generatedTag) {
        return image.repository() + ":" + (image.tag() != null ? image.tag() : generatedTag);
    }

    /** Build args every image gets: the repository holding image.yml and who built it. */
    static Map<String, String> commonBuildArgs(DelegateExecution execution, ImageFile file, SourceRepository sources) {
        var self = sources.describe(file.baseDir()).orElse(new SourceRepository.Revision("", "", ""));
        Map<String, String> args = new LinkedHashMap<>();
        args.put("PolarSource", self.url());
        args.put("PolarBranch", self.branch());
        args.put("PolarVersion", self.commit());
        args.put("BuildBy", (String) execution.getVariable(BUILD_BY));
        return args;
    }

    /**
     * Builds unless this run already built the image (a repeated step after a lost commit), then removes the
     * build context. Dockerfile and rootfs/ are staged again first, so a retry after fixing them builds the fix.
     * The output is logged and appended to the image's build log. The job's lock is kept while the daemon builds.
     */
    static void build(
            DelegateExecution execution,
            ImageBuilder builder,
            ImageBuildProperties properties,
            Map<String, String> buildArgs) {
        String imageId = imageId(execution);
        String name = builtImageName(execution, imageId);
        String run = (String) execution.getVariable(BUILD_RUN);
        BuildContexts contexts = contexts(execution);
        var existing = builder.inspect(name);
        if (existing.isPresent() && run.equals(existing.get().labels().get(LABEL_BUILD_RUN))) {
            OUTPUT.info(
                    "[{}] {} was already built by this run ({})",
                    imageId,
                    name,
                    existing.get().id());
            return;
        }
        var file = imageFile(execution);
        contexts.stage(file, file.image(imageId), properties.agentJar());
        boolean noCache = Boolean.TRUE.equals(execution.getVariable(NO_CACHE));
        var request = new ImageBuilder.BuildRequest(
                name,
                contexts.context(imageId),
                buildArgs,
                Map.of(LABEL_BUILD_RUN, run, LABEL_IMAGE_ID, imageId),
                noCache,
                properties.buildTimeout());
        Path log = contexts.log(imageId);
        String id;
        try (var output = new Output(imageId, log)) {
            output.accept("build " + name + (noCache ? " (no cache)" : ""));
            try (var lease = JobLockLease.hold()) {
                id = builder.build(request, output);
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "build of image '" + imageId + "' (" + name + ") failed: " + e.getMessage()
                                + "; the build output is in " + log + ". Fix the cause, then retry this step",
                        e);
            }
        }
        OUTPUT.info("[{}] built {} ({})", imageId, name, id);
        contexts.clean(imageId);
    }

    static void push(DelegateExecution execution, ImageBuilder builder, Duration timeout) {
        String imageId = imageId(execution);
        String name = builtImageName(execution, imageId);
        Path log = contexts(execution).log(imageId);
        try (var output = new Output(imageId, log)) {
            output.accept("push " + name);
            try (var lease = JobLockLease.hold()) {
                builder.push(name, timeout, output);
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "push of image '" + imageId + "' (" + name + ") failed: " + e.getMessage()
                                + ". Check that the registry is up and accepts the push, then retry this step",
                        e);
            }
        }
        OUTPUT.info("[{}] pushed {}", imageId, name);
    }

    /** Sends each line to the log and to the image's build log file. */
    static final class Output implements Consumer<String>, AutoCloseable {
        private final String imageId;
        private final BufferedWriter file;

        Output(String imageId, Path log) {
            this.imageId = imageId;
            try {
                Files.createDirectories(log.getParent());
                this.file = Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the build log " + log + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void accept(String line) {
            OUTPUT.info("[{}] {}", imageId, line);
            try {
                file.write(line);
                file.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                file.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
