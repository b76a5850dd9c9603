package io.polarstack.orchestrator.adapters.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.PushResponseItem;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import io.polarstack.orchestrator.ports.ImageBuilder;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** {@link ImageBuilder} on a Docker daemon through docker-java (the classic builder, like {@code docker build}). */
public class DockerImageBuilder implements ImageBuilder, AutoCloseable {

    static final String API_VERSION = "1.41";

    private final DockerClientConfig config;
    private final DockerClient client;
    /** For the short calls (inspect): a daemon that does not answer fails the step instead of holding it. */
    private final DockerClient quick;

    /** How long the daemon may take to answer a short call; build and push are bounded by their own timeouts. */
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    /** @param dockerHost e.g. {@code unix:///var/run/docker.sock}; empty = {@code DOCKER_HOST} or the default socket */
    public DockerImageBuilder(String dockerHost) {
        var builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (dockerHost != null && !dockerHost.isBlank()) {
            builder.withDockerHost(dockerHost);
        }
        if (System.getenv("DOCKER_API_VERSION") == null) {
            // docker-java asks for API 1.44 by default; 1.41 (Docker 20.10, Debian 12) is also served by newer daemons.
            builder.withApiVersion(API_VERSION);
        }
        this.config = builder.build();
        // Connecting is lazy: the orchestrator starts while the daemon is away; a step then fails and retries.
        // A build's stream may stay silent for long (a quiet RUN step), so the streaming client has no read timeout;
        // its callers wait for it with the build and push timeouts.
        DockerHttpClient http = new com.github.dockerjava.httpclient5.ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        this.client = DockerClientImpl.getInstance(config, http);
        DockerHttpClient quickHttp = new com.github.dockerjava.httpclient5.ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(RESPONSE_TIMEOUT)
                .build();
        this.quick = DockerClientImpl.getInstance(config, quickHttp);
    }

    public DockerClient client() {
        return client;
    }

    @Override
    public String build(BuildRequest request, Consumer<String> output) {
        var command = client.buildImageCmd()
                .withBaseDirectory(request.context().toFile())
                .withDockerfile(request.context().resolve("Dockerfile").toFile())
                .withTags(Set.of(request.image()))
                .withLabels(request.labels())
                .withNoCache(request.noCache())
                .withPull(false)
                // As image.py did (--network=host); a daemon without a bridge network can only run RUN steps so.
                .withNetworkMode("host");
        request.buildArgs().forEach(command::withBuildArg);
        var callback = command.exec(new BuildImageResultCallback() {
            @Override
            public void onNext(BuildResponseItem item) {
                lines(item.getStream(), output);
                if (item.getStatus() != null) {
                    output.accept(item.getStatus());
                }
                super.onNext(item);
            }
        });
        // awaitImageId fails with the daemon's message when a step fails.
        try {
            return callback.awaitImageId(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            closeQuietly(callback);
        }
    }

    @Override
    public void push(String image, Duration timeout, Consumer<String> output) {
        int colon = image.lastIndexOf(':');
        String repository = colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
        String tag = colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
        AtomicReference<String> error = new AtomicReference<>();
        Set<String> reported = new HashSet<>();
        var command = client.pushImageCmd(repository).withTag(tag);
        AuthConfig auth = config.effectiveAuthConfig(image);
        if (auth != null && auth.getUsername() != null) {
            command.withAuthConfig(auth);
        }
        var callback = command.exec(new ResultCallback.Adapter<PushResponseItem>() {
            @Override
            public void onNext(PushResponseItem item) {
                if (item.getErrorDetail() != null || item.getError() != null) {
                    error.compareAndSet(
                            null,
                            item.getErrorDetail() != null
                                            && item.getErrorDetail().getMessage() != null
                                    ? item.getErrorDetail().getMessage()
                                    : item.getError());
                }
                // Progress lines repeat for every chunk; one line per layer and state is enough.
                if (item.getStatus() != null && reported.add(item.getId() + " " + item.getStatus())) {
                    output.accept((item.getId() == null ? "" : item.getId() + ": ") + item.getStatus());
                }
            }
        });
        try {
            if (!callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("push of " + image + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("push of " + image + " interrupted", e);
        } finally {
            closeQuietly(callback);
        }
        if (error.get() != null) {
            throw new IllegalStateException("push of " + image + " failed: " + error.get());
        }
    }

    @Override
    public Optional<ImageInfo> inspect(String image) {
        try {
            var response = quick.inspectImageCmd(image).exec();
            var labels =
                    response.getConfig() == null ? null : response.getConfig().getLabels();
            return Optional.of(new ImageInfo(response.getId(), labels));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws Exception {
        try (quick) {
            client.close();
        }
    }

    private static void lines(String text, Consumer<String> output) {
        if (text == null) {
            return;
        }
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                output.accept(line.stripTrailing());
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // the result is known; a failure to release the stream changes nothing
        }
    }
}
