package io.polarstack.orchestrator.service.images;

import java.util.List;

/** image.yml cannot be used; each problem names the image id and the field, and says what to change. */
public class InvalidImageFileException extends RuntimeException {

    private final List<String> problems;

    public InvalidImageFileException(String file, List<String> problems) {
        super(file + " is invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
