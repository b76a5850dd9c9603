package io.polarstack.orchestrator.delegates.buildimages;

import io.polarstack.orchestrator.flows.JobLockLease;
import io.polarstack.orchestrator.ports.SourceRepository;
import io.polarstack.orchestrator.service.images.BuildContexts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Task_FetchEngineSource: a fresh shallow clone of {@code engine_repo} at {@code engine_branch} into the image's context. */
@Component
public class FetchEngineSourceDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(FetchEngineSourceDelegate.class);

    private final SourceRepository sources;

    public FetchEngineSourceDelegate(SourceRepository sources) {
        this.sources = sources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var image = ImageSteps.imageFile(execution).image(ImageSteps.imageId(execution));
        Path target = ImageSteps.contexts(execution).source(image.id());
        try {
            BuildContexts.delete(target); // a clone interrupted half-way is never reused
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + target + ": " + e.getMessage(), e);
        }
        if (image.engineRepo() == null) {
            try {
                Files.createDirectories(target); // the Dockerfile installs the engine from packages
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + target + ": " + e.getMessage(), e);
            }
            LOG.info("image {}: no engine_repo; its Dockerfile installs the engine from packages", image.id());
            return;
        }
        try (var lease = JobLockLease.hold()) { // a clone may take longer than the job lock
            var revision = sources.cloneShallow(image.engineRepo(), image.engineBranch(), target);
            LOG.info(
                    "image {}: {} at {} is commit {}",
                    image.id(),
                    image.engineRepo(),
                    image.engineBranch(),
                    revision.commit());
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "image '" + image.id() + "': " + e.getMessage()
                            + "; check engine_repo and engine_branch and that the repository is reachable, then retry this step",
                    e);
        }
    }
}
