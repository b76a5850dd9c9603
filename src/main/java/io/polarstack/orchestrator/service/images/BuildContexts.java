package io.polarstack.orchestrator.service.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The folders of one build run: {@code <run>/<image id>/} is an image's build context (its Dockerfile,
 * a copy of {@code rootfs/}, the engine source in {@code polardb_pg/}, {@code orchestrator.jar}) and
 * {@code <run>/<image id>.build.log} keeps its build output after the context is gone.
 */
public final class BuildContexts {

    /** Folder of the engine source inside a context; passed to the Dockerfiles as POLAR_SOURCE_DIR. */
    public static final String SOURCE_DIR = "polardb_pg";

    public static final String AGENT_JAR = "orchestrator.jar";

    private final Path run;

    public BuildContexts(Path run) {
        this.run = run.toAbsolutePath().normalize();
    }

    public Path context(String imageId) {
        return run.resolve(imageId);
    }

    public Path source(String imageId) {
        return context(imageId).resolve(SOURCE_DIR);
    }

    public Path log(String imageId) {
        return run.resolve(imageId + ".build.log");
    }

    /**
     * Puts the Dockerfile, {@code rootfs/} (plus the engine's config template, as image.py did) and the agent jar
     * into the image's context. Safe to repeat: earlier copies are replaced; the engine source is kept.
     */
    public void stage(ImageFile file, ImageSpec image, Path agentJar) {
        Path context = context(image.id());
        try {
            Files.createDirectories(context);
            Files.copy(image.dockerfile(), context.resolve("Dockerfile"), StandardCopyOption.REPLACE_EXISTING);
            Path rootfs = context.resolve("rootfs");
            delete(rootfs);
            Path baseRootfs = file.baseDir().resolve("rootfs");
            if (Files.isDirectory(baseRootfs)) {
                copyTree(baseRootfs.toRealPath(), rootfs); // rootfs/ may be a link to a shared one
            } else {
                Files.createDirectories(rootfs);
            }
            if (image.type() == ImageSpec.Type.ENGINE && image.engineConfigTemplate() != null) {
                Path template =
                        source(image.id()).resolve(image.engineConfigTemplate()).normalize();
                if (!template.startsWith(source(image.id())) || !Files.isRegularFile(template)) {
                    throw new IllegalStateException("image '" + image.id() + "': engine_config_template '"
                            + image.engineConfigTemplate() + "' is not a file in " + image.engineRepo() + " at "
                            + image.engineBranch() + "; fix the path (it is relative to the engine source)");
                }
                Files.copy(template, rootfs.resolve(template.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            Path jar = context.resolve(AGENT_JAR);
            Files.deleteIfExists(jar);
            if (agentJar != null) {
                Files.copy(agentJar, jar);
            } else if (Files.readString(image.dockerfile()).contains(AGENT_JAR)) {
                throw new IllegalStateException("image '" + image.id() + "': " + image.dockerfile() + " copies "
                        + AGENT_JAR + ", but the orchestrator does not run from a jar; build it (mvn package) and run"
                        + " java -jar target/orchestrator.jar image build, or set orchestrator.images.agent-jar");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot stage the build context of image '" + image.id() + "' in " + context + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Removes the image's context (the log stays). */
    public void clean(String imageId) {
        try {
            delete(context(imageId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + context(imageId) + ": " + e.getMessage(), e);
        }
    }

    public static void delete(Path tree) throws IOException {
        if (!Files.exists(tree, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // Keeps symlinks as links and the executable bits the Dockerfiles rely on.
                Files.copy(
                        file,
                        to.resolve(from.relativize(file).toString()),
                        StandardCopyOption.COPY_ATTRIBUTES,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
