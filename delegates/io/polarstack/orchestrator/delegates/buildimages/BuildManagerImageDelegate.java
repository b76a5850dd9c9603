package io.polarstack.orchestrator.delegates.buildimages;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_BuildManagerImage: docker build of the manager image FROM its engine image (ENGINE_IMAGE_FULL_NAME). */
@Component
public class BuildManagerImageDelegate implements JavaDelegate {

    private final ImageBuilder builder;
    private final SourceRepository sources;
    private final ImageBuildProperties properties;

    public BuildManagerImageDelegate(ImageBuilder builder, SourceRepository sources, ImageBuildProperties properties) {
        this.builder = builder;
        this.sources = sources;
        this.properties = properties;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var file = ImageSteps.imageFile(execution);
        var image = file.image(ImageSteps.imageId(execution));
        var args = ImageSteps.commonBuildArgs(execution, file, sources);
        args.put("ENGINE_IMAGE_FULL_NAME", ImageSteps.builtImageName(execution, image.engineImageId()));
        ImageSteps.build(execution, builder, properties, args);
    }
}
