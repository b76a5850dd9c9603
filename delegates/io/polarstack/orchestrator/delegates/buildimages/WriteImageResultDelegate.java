package io.polarstack.orchestrator.delegates.buildimages;

import static io.polarstack.orchestrator.flows.buildimages.BuildImagesVariables.*;

import io.polarstack.orchestrator.service.images.ImageSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Task_WriteImageResult: the result file gets one full image name a line, engine images first, in file order. */
@Component
public class WriteImageResultDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(WriteImageResultDelegate.class);

    @Override
    public void execute(DelegateExecution execution) {
        var file = ImageSteps.imageFile(execution);
        List<String> names = new ArrayList<>();
        for (var type : List.of(ImageSpec.Type.ENGINE, ImageSpec.Type.MANAGER)) {
            file.enabled(type).forEach(image -> names.add(ImageSteps.builtImageName(execution, image.id())));
        }
        Path result = Path.of((String) execution.getVariable(RESULT_FILE));
        try {
            Files.createDirectories(result.toAbsolutePath().getParent());
            Path partial = result.resolveSibling(result.getFileName() + ".partial");
            Files.write(partial, names);
            Files.move(partial, result, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write " + result + " (" + e.getMessage() + "); fix the folder"
                            + " or the 'result' entry of image.yml, then retry this step",
                    e);
        }
        LOG.info("wrote {} image names to {}", names.size(), result);
    }
}
