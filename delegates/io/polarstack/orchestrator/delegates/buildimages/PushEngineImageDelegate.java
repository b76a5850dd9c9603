package io.polarstack.orchestrator.delegates.buildimages;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.ports.ImageBuilder;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_PushEngineImage: pushes the engine image to the registry in its name (taken when {@code push} is true). */
@Component
public class PushEngineImageDelegate implements JavaDelegate {

    private final ImageBuilder builder;
    private final ImageBuildProperties properties;

    public PushEngineImageDelegate(ImageBuilder builder, ImageBuildProperties properties) {
        this.builder = builder;
        this.properties = properties;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ImageSteps.push(execution, builder, properties.buildTimeout());
    }
}
