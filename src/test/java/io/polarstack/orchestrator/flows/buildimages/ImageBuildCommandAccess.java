package io.polarstack.orchestrator.flows.buildimages;

import java.io.PrintStream;
import java.nio.file.Path;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;

/** Runs the image build command with given adapters and console, for tests in other packages. */
public final class ImageBuildCommandAccess {

    private ImageBuildCommandAccess() {
    }

    public static int build(PrintStream out, ImageBuilder builder, SourceRepository sources,
                            ImageBuildProperties properties, Path imageFile, boolean noCache) throws InterruptedException {
        return new ImageBuildCommand(out, builder, sources, properties, ImageBuildCommand.shippedRetryProfiles())
                .build(imageFile, noCache);
    }
}
