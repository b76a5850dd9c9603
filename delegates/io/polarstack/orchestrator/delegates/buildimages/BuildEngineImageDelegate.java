package io.polarstack.orchestrator.delegates.buildimages;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;
import io.polarstack.orchestrator.service.images.BuildContexts;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_BuildEngineImage: docker build of the engine image with image.py's build args. */
@Component
public class BuildEngineImageDelegate implements JavaDelegate {

    private final ImageBuilder builder;
    private final SourceRepository sources;
    private final ImageBuildProperties properties;

    public BuildEngineImageDelegate(ImageBuilder builder, SourceRepository sources, ImageBuildProperties properties) {
        this.builder = builder;
        this.sources = sources;
        this.properties = properties;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var file = ImageSteps.imageFile(execution);
        var image = file.image(ImageSteps.imageId(execution));
        var engine = sources.describe(ImageSteps.contexts(execution).source(image.id()))
                .orElse(new SourceRepository.Revision("", "", ""));
        Map<String, String> args = ImageSteps.commonBuildArgs(execution, file, sources);
        args.put("CodeSource", image.engineRepo() == null ? "" : image.engineRepo());
        args.put("CodeBranch", image.engineBranch() == null ? "" : image.engineBranch());
        args.put("CodeVersion", engine.commit());
        args.put("POLAR_SOURCE_DIR", BuildContexts.SOURCE_DIR);
        args.put("PFSRPM", file.pfsdRpm());
        args.put("PolarDBRPM", image.polardbRpm());
        ImageSteps.build(execution, builder, properties, args);
    }
}
