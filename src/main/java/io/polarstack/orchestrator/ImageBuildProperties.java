package io.polarstack.orchestrator;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the BuildImages flow, under {@code orchestrator.images.*}; listed in README's configuration table.
 *
 * @param dockerHost   Docker daemon; empty = {@code DOCKER_HOST} or {@code unix:///var/run/docker.sock}
 * @param workDir      where sources are cloned, build contexts staged and build logs kept, one folder per run
 * @param agentJar     the orchestrator jar staged as {@code orchestrator.jar} into every build context (the manager
 *                     image runs the manager agent from it); empty = the jar this process runs from, if any
 * @param buildTimeout longest a single image build or push may take
 */
@ConfigurationProperties("orchestrator.images")
public record ImageBuildProperties(String dockerHost, Path workDir, Path agentJar, Duration buildTimeout) {

    public ImageBuildProperties {
        dockerHost = dockerHost == null ? "" : dockerHost;
        workDir = workDir == null ? Path.of("data", "image-build") : workDir;
        agentJar = agentJar == null || agentJar.toString().isEmpty() ? runningJar() : agentJar;
        buildTimeout = buildTimeout == null ? Duration.ofHours(3) : buildTimeout;
    }

    /** The jar this code was loaded from, or null when it runs from class folders (tests, IDE). */
    static Path runningJar() {
        try {
            var source = ImageBuildProperties.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return null;
            }
            // Spring Boot's nested URLs look like jar:nested:/path/app.jar/!BOOT-INF/classes/!/
            String location = source.getLocation().toString();
            int jar = location.indexOf(".jar");
            if (jar < 0) {
                return null;
            }
            String path = location.substring(0, jar + 4).replaceFirst("^(jar:)?(nested:|file:)?", "");
            Path file = Path.of(path);
            return file.toFile().isFile() ? file : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
