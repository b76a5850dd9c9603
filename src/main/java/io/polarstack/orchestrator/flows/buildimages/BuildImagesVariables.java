package io.polarstack.orchestrator.flows.buildimages;

/** Variable names of the BuildImages flow (small values only: paths, ids, names, tags). */
public final class BuildImagesVariables {

    public static final String PROCESS_KEY = "BuildImages";

    /** Input: path of image.yml (relative paths inside it are relative to its folder). */
    public static final String IMAGE_FILE = "imageFile";
    /** Input alternative: the text of image.yml; relative paths are then relative to {@link #BASE_DIR}. */
    public static final String IMAGE_FILE_CONTENT = "imageFileContent";
    /** Input with {@link #IMAGE_FILE_CONTENT}, else set from the file's folder. */
    public static final String BASE_DIR = "baseDir";
    /** Input, default false: build every layer again. */
    public static final String NO_CACHE = "noCache";
    /** Input, default orchestrator.images.work-dir: under it each run gets a folder. */
    public static final String WORK_DIR = "workDir";

    public static final String BUILD_RUN = "buildRun";
    public static final String BUILD_TIMESTAMP = "buildTimestamp";
    public static final String BUILD_BY = "buildBy";
    public static final String RUN_DIR = "runDir";
    public static final String RESULT_FILE = "resultFile";
    /** Comma-separated ids of the enabled images, in file order. */
    public static final String ENGINE_IMAGE_IDS = "engineImageIds";

    public static final String MANAGER_IMAGE_IDS = "managerImageIds";
    /** Element variable of the per-image subprocesses. */
    public static final String IMAGE_ID = "imageId";
    /** Local to one image's subprocess: push it after the build. */
    public static final String PUSH = "push";

    public static final String ERROR_MESSAGE = "errorMessage";

    public static final String ERROR_INVALID_IMAGE_FILE = "Error_InvalidImageFile";
    /** Image label recording the run that built it, so a repeated build step knows its image is there. */
    public static final String LABEL_BUILD_RUN = "io.polarstack.build-run";

    public static final String LABEL_IMAGE_ID = "io.polarstack.image-id";

    private BuildImagesVariables() {}

    /** The full name ({@code repository:tag}) chosen for an image, set by its prepare step. */
    public static String builtImage(String imageId) {
        return "builtImage." + imageId;
    }
}
