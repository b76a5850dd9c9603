package io.polarstack.orchestrator.service.images;

import java.nio.file.Path;

/**
 * One entry of image.yml's {@code images} list, validated; paths resolved against the file's folder.
 *
 * @param repository           {@code build_image_name} without its tag
 * @param tag                  the tag given in {@code build_image_name}, or null to generate one
 * @param engineConfigTemplate path inside the engine source, or null (engine images only)
 * @param engineReleaseDate    {@code yyyyMMdd}, or null for the build date (engine images only)
 * @param engineImageId        the engine image this manager image is built on (manager images only)
 */
public record ImageSpec(
        String id,
        Type type,
        String repository,
        String tag,
        Path dockerfile,
        String engineRepo,
        String engineBranch,
        String engineConfigTemplate,
        String engineReleaseDate,
        String engineImageId,
        String polardbRpm,
        boolean push,
        boolean enable) {

    public enum Type {
        ENGINE,
        MANAGER
    }
}
