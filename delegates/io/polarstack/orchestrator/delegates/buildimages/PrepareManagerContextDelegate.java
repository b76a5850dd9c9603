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
 * Task_PrepareManagerContext: stages Dockerfile, rootfs/ and the orchestrator jar (the manager agent) and names
 * the image {@code <timestamp>.<commit[:8]>} of the repository holding image.yml, unless image.yml tags it.
 */
@Component
public class PrepareManagerContextDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareManagerContextDelegate.class);

    private final SourceRepository sources;
    private final ImageBuildProperties properties;

    public PrepareManagerContextDelegate(SourceRepository sources, ImageBuildProperties properties) {
        this.sources = sources;
        this.properties = properties;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var file = ImageSteps.imageFile(execution);
        var image = file.image(ImageSteps.imageId(execution));
        var contexts = ImageSteps.contexts(execution);
        contexts.stage(file, image, properties.agentJar());
        String commit = sources.describe(file.baseDir())
                .map(SourceRepository.Revision::commit)
                .orElse("");
        String name = ImageSteps.tagOrGenerated(
                image, ImageTags.managerTag((String) execution.getVariable(BUILD_TIMESTAMP), commit));
        execution.setVariable(builtImage(image.id()), name);
        execution.setVariableLocal(PUSH, image.push());
        LOG.info(
                "image {}: context {} staged; it will be {} on {}{}",
                image.id(),
                contexts.context(image.id()),
                name,
                ImageSteps.builtImageName(execution, image.engineImageId()),
                image.push() ? " (pushed)" : " (not pushed)");
    }
}
