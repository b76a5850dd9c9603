package io.polarstack.orchestrator.delegates.buildimages;

import static io.polarstack.orchestrator.flows.buildimages.BuildImagesVariables.*;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.service.images.BuildRun;
import io.polarstack.orchestrator.service.images.ImageFile;
import io.polarstack.orchestrator.service.images.ImageSpec;
import io.polarstack.orchestrator.service.images.InvalidImageFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Task_LoadImageFile: reads image.yml (variable {@code imageFile}, or its text in {@code imageFileContent}),
 * validates it and fixes what the whole run shares: ids to build, run folder, timestamp, result file.
 * An invalid file ends the flow at EndEvent_InvalidImageFile with every problem in {@code errorMessage}.
 */
@Component
public class LoadImageFileDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(LoadImageFileDelegate.class);

    private final ImageBuildProperties properties;

    public LoadImageFileDelegate(ImageBuildProperties properties) {
        this.properties = properties;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String content = (String) execution.getVariable(IMAGE_FILE_CONTENT);
        String path = (String) execution.getVariable(IMAGE_FILE);
        Path baseDir;
        if (content == null) {
            if (path == null) {
                throw new BpmnError(
                        ERROR_INVALID_IMAGE_FILE,
                        "set the variable " + IMAGE_FILE + " (path of image.yml)" + " or " + IMAGE_FILE_CONTENT
                                + " (its text, with " + BASE_DIR + ")");
            }
            Path file = Path.of(path).toAbsolutePath();
            try {
                content = Files.readString(file);
            } catch (IOException e) {
                throw new BpmnError(
                        ERROR_INVALID_IMAGE_FILE, "cannot read " + file + " (" + e + "); check " + IMAGE_FILE);
            }
            baseDir = file.getParent();
        } else {
            Object base = execution.getVariable(BASE_DIR);
            baseDir = Path.of(base == null ? "." : base.toString())
                    .toAbsolutePath()
                    .normalize();
        }
        ImageFile file;
        try {
            file = ImageFile.parse(content, baseDir, path != null ? path : "image.yml");
        } catch (InvalidImageFileException e) {
            throw new BpmnError(ERROR_INVALID_IMAGE_FILE, e.getMessage());
        }
        execution.setVariable(IMAGE_FILE_CONTENT, content);
        execution.setVariable(BASE_DIR, file.baseDir().toString());
        execution.setVariable(RESULT_FILE, file.result().toString());
        execution.setVariable(ENGINE_IMAGE_IDS, file.ids(ImageSpec.Type.ENGINE));
        execution.setVariable(MANAGER_IMAGE_IDS, file.ids(ImageSpec.Type.MANAGER));
        // Run-wide values are kept when the step repeats, so names chosen later stay stable.
        var fresh = BuildRun.startedHere();
        String run = keep(execution, BUILD_RUN, fresh.id());
        keep(execution, BUILD_TIMESTAMP, fresh.timestamp());
        keep(execution, BUILD_BY, fresh.builtBy());
        Object workDir = execution.getVariable(WORK_DIR);
        Path runDir = (workDir == null ? properties.workDir() : Path.of(workDir.toString()))
                .toAbsolutePath()
                .resolve(run);
        execution.setVariable(RUN_DIR, runDir.toString());
        LOG.info(
                "image file valid: engine images [{}], manager images [{}], run folder {}",
                execution.getVariable(ENGINE_IMAGE_IDS),
                execution.getVariable(MANAGER_IMAGE_IDS),
                runDir);
    }

    private static String keep(DelegateExecution execution, String name, String fresh) {
        Object value = execution.getVariable(name);
        if (value != null) {
            return value.toString();
        }
        execution.setVariable(name, fresh);
        return fresh;
    }
}
