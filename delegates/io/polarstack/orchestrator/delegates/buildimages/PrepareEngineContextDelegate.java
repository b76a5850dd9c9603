package io.polarstack.orchestrator.delegates.buildimages;

import static io.polarstack.orchestrator.flows.buildimages.BuildImagesVariables.*;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.ports.SourceRepository;
import io.polarstack.orchestrator.service.images.ImageTags;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_PrepareEngineContext: stages Dockerfile, rootfs/ and the engine's config template into the build context
 * and names the image {@code <package version>.<release date>.<commit[:8]>.<timestamp>} unless image.yml tags it.
 */
@Component
public class PrepareEngineContextDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareEngineContextDelegate.class);

    private final SourceRepository sources;
    private final ImageBuildProperties properties;

    public PrepareEngineContextDelegate(SourceRepository sources, ImageBuildProperties properties) {
        this.sources = sources;
        this.properties = properties;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var file = ImageSteps.imageFile(execution);
        var image = file.image(ImageSteps.imageId(execution));
        var contexts = ImageSteps.contexts(execution);
        contexts.stage(file, image, properties.agentJar());
        var source = contexts.source(image.id());
        String commit =
                sources.describe(source).map(SourceRepository.Revision::commit).orElse("");
        String timestamp = (String) execution.getVariable(BUILD_TIMESTAMP);
        String releaseDate = image.engineReleaseDate() != null ? image.engineReleaseDate() : timestamp.substring(0, 8);
        // A tagged image needs no version from the source (a packaged engine has no source at all).
        String name = image.tag() != null
                ? ImageSteps.tagOrGenerated(image, null)
                : ImageSteps.tagOrGenerated(
                        image, ImageTags.engineTag(ImageTags.packageVersion(source), releaseDate, commit, timestamp));
        execution.setVariable(builtImage(image.id()), name);
        execution.setVariableLocal(PUSH, image.push());
        LOG.info(
                "image {}: context {} staged; it will be {}{}",
                image.id(),
                contexts.context(image.id()),
                name,
                image.push() ? " (pushed)" : " (not pushed)");
    }
}
