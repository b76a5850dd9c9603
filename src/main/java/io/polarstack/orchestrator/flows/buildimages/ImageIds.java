package io.polarstack.orchestrator.flows.buildimages;

import java.util.Arrays;
import java.util.List;

import org.springframework.stereotype.Component;

/**
 * Turns the comma-separated id variables into the collections the per-image multi-instances iterate
 * ({@code ${imageIds.of(engineImageIds)}}): lists would need Java serialization, which the engine refuses.
 */
@Component("imageIds")
public class ImageIds {

    public List<String> of(String ids) {
        return ids == null || ids.isBlank() ? List.of() : Arrays.stream(ids.split(",")).map(String::strip).toList();
    }
}
