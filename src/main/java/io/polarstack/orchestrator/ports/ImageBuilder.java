package io.polarstack.orchestrator.ports;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Builds, inspects and pushes container images on a Docker daemon. */
public interface ImageBuilder {

    /**
     * Builds {@code request.image()} from the context folder, whose {@code Dockerfile} is used; every output
     * line goes to {@code output}. Returns the image id; fails with the daemon's error message.
     */
    String build(BuildRequest request, Consumer<String> output);

    /** Pushes a built image ({@code repository:tag}) to its registry; fails with the registry's error. */
    void push(String image, Duration timeout, Consumer<String> output);

    /** The local image of that name, if the daemon has it. */
    Optional<ImageInfo> inspect(String image);

    /**
     * @param image     full name to tag the result with, {@code [registry/]repository:tag}
     * @param context   the build context folder; its {@code Dockerfile} is built
     * @param buildArgs {@code --build-arg} values
     * @param labels    labels added to the image
     * @param noCache   build every layer again
     * @param timeout   longest the build may take
     */
    record BuildRequest(
            String image,
            Path context,
            Map<String, String> buildArgs,
            Map<String, String> labels,
            boolean noCache,
            Duration timeout) {
        public BuildRequest {
            buildArgs = Map.copyOf(buildArgs);
            labels = Map.copyOf(labels);
        }
    }

    record ImageInfo(String id, Map<String, String> labels) {
        public ImageInfo {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }
}
