package io.polarstack.orchestrator.service.images;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * image.yml in PolarDBManager's schema: {@code result}, {@code pfsd_rpm}, {@code polardb_rpm} and the
 * {@code images} list. Relative paths are resolved against {@code baseDir}, the folder holding the file.
 *
 * @param result the file that receives one built image name a line
 */
public record ImageFile(Path baseDir, Path result, String pfsdRpm, List<ImageSpec> images) {

    /** Docker's reference grammar: lower-case path components, optional registry host[:port]. */
    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";

    private static final Pattern REPOSITORY =
            Pattern.compile("(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9-]+)*(?::[0-9]+)?)/)?"
                    + COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern DATE = Pattern.compile("[0-9]{8}");
    /**
     * The transports a clone can be bounded on (JGit's idle timeout and the clone's time cap): https, http, ssh (also
     * as {@code user@host:path}) and file. An idle {@code git://} connection cannot be cut on Java 17.
     */
    private static final Pattern CLONE_URL =
            Pattern.compile("(?i)(https?|ssh|file)://.+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*");

    public ImageFile {
        images = List.copyOf(images);
    }

    public List<ImageSpec> enabled(ImageSpec.Type type) {
        return images.stream().filter(i -> i.enable() && i.type() == type).toList();
    }

    /** The ids of the enabled images of {@code type}, in file order, comma-separated. */
    public String ids(ImageSpec.Type type) {
        return String.join(",", enabled(type).stream().map(ImageSpec::id).toList());
    }

    public ImageSpec image(String id) {
        return images.stream()
                .filter(i -> i.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("image.yml has no image with id '" + id + "'"));
    }

    /** Reads and validates the file; all problems are reported together. */
    public static ImageFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.io.IOException e) {
            throw new InvalidImageFileException(file.toString(), List.of("cannot be read (" + e + ")"));
        }
        Path parent = file.toAbsolutePath().getParent();
        return parse(text, parent, file.toString());
    }

    /** Parses and validates {@code yaml}; {@code name} names the source in messages. */
    public static ImageFile parse(String yaml, Path baseDir, String name) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new InvalidImageFileException(name, List.of("is not valid YAML: " + e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new InvalidImageFileException(name, List.of("must be a mapping with an 'images' list"));
        }
        List<String> problems = new ArrayList<>();
        Path base = baseDir.toAbsolutePath().normalize();
        Path result = base.resolve(text(top.get("result"), "./image.out")).normalize();
        Object list = top.get("images");
        if (!(list instanceof List<?> entries) || entries.isEmpty()) {
            throw new InvalidImageFileException(name, List.of("images: must be a non-empty list of images"));
        }
        List<ImageSpec> images = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            if (!(entries.get(i) instanceof Map<?, ?> entry)) {
                problems.add("images[" + i + "]: must be a mapping");
                continue;
            }
            ImageSpec spec = image(i, entry, base, problems);
            if (spec == null) {
                continue;
            }
            Integer earlier = firstIndex.putIfAbsent(spec.id(), i);
            if (earlier != null) {
                problems.add("image '" + spec.id() + "' (images[" + i + "]): id: duplicate of images[" + earlier
                        + "]; every image needs its own id");
            }
            images.add(spec);
        }
        checkManagers(images, problems);
        if (!problems.isEmpty()) {
            throw new InvalidImageFileException(name, problems);
        }
        return new ImageFile(base, result, text(top.get("pfsd_rpm"), ""), images);
    }

    private static ImageSpec image(int index, Map<?, ?> entry, Path base, List<String> problems) {
        String id = text(entry.get("id"), null);
        if (id == null) {
            problems.add("images[" + index + "]: id: missing; give every image a unique id");
            return null;
        }
        String at = "image '" + id + "'";
        if (!ID.matcher(id).matches()) {
            problems.add(at + ": id: use only letters, digits, '_', '.' and '-'");
        }
        int before = problems.size();
        boolean enable = bool(entry, "enable", at, problems);
        boolean push = bool(entry, "push", at, problems);
        String typeText = text(entry.get("type"), null);
        ImageSpec.Type type = null;
        if (typeText == null) {
            problems.add(at + ": type: missing; use engine or manager");
        } else if (typeText.equals("engine") || typeText.equals("manager")) {
            type = ImageSpec.Type.valueOf(typeText.toUpperCase());
        } else {
            problems.add(at + ": type: '" + typeText + "' is unknown; use engine or manager");
        }
        String repository = null;
        String tag = null;
        String imageName = text(entry.get("build_image_name"), null);
        if (imageName == null) {
            problems.add(at + ": build_image_name: missing; e.g. polardb_pg/polardb_pg_engine");
        } else {
            int slash = imageName.lastIndexOf('/');
            int colon = imageName.lastIndexOf(':');
            repository = colon > slash ? imageName.substring(0, colon) : imageName;
            tag = colon > slash ? imageName.substring(colon + 1) : null;
            if (!REPOSITORY.matcher(repository).matches()
                    || (tag != null && !TAG.matcher(tag).matches())) {
                problems.add(at + ": build_image_name: '" + imageName + "' is not a valid image name; use"
                        + " [registry[:port]/]repository[:tag] with a lower-case repository, e.g. polardb_pg/engine");
            }
        }
        Path dockerfile = null;
        String dockerfileText = text(entry.get("build_image_dockerfile"), null);
        if (dockerfileText == null) {
            problems.add(at + ": build_image_dockerfile: missing; e.g. ./docker/Dockerfile.pg.engine.release");
        } else {
            dockerfile = base.resolve(dockerfileText).normalize();
            if (enable && !Files.isRegularFile(dockerfile)) {
                problems.add(at + ": build_image_dockerfile: '" + dockerfileText + "' does not exist (looked at "
                        + dockerfile + "); paths are relative to the folder of image.yml");
            }
        }
        String engineRepo = text(entry.get("engine_repo"), null);
        String engineBranch = text(entry.get("engine_branch"), null);
        String releaseDate = text(entry.get("engine_release_date"), null);
        String engineImageId = text(entry.get("engine_image_id"), null);
        // Without engine_repo the Dockerfile installs the engine from packages: nothing to fetch, and no
        // source to derive a tag from, so build_image_name must carry one.
        boolean packaged = engineRepo == null && tag != null;
        if (type == ImageSpec.Type.ENGINE) {
            if (engineRepo == null && !packaged) {
                problems.add(at + ": engine_repo: missing; the git URL of the engine source (or, for an engine"
                        + " its Dockerfile installs from packages, omit it and give build_image_name a tag)");
            }
            if (engineRepo != null && !CLONE_URL.matcher(engineRepo).matches()) {
                problems.add(at + ": engine_repo: '" + engineRepo + "' is not a URL this can clone with a time bound;"
                        + " use https://, http://, ssh://, user@host:path or file://");
            }
            if (engineBranch == null && !packaged) {
                problems.add(at + ": engine_branch: missing; e.g. POLARDB_11_STABLE");
            }
            if (releaseDate != null && !DATE.matcher(releaseDate).matches()) {
                problems.add(at + ": engine_release_date: '" + releaseDate + "' is not a date like 20210910");
            }
        }
        if (type == ImageSpec.Type.MANAGER && engineImageId == null) {
            problems.add(at + ": engine_image_id: missing; name the engine image this manager image is built on");
        }
        if (problems.size() > before) {
            return null;
        }
        return new ImageSpec(
                id,
                type,
                repository,
                tag,
                dockerfile,
                engineRepo,
                engineBranch,
                text(entry.get("engine_config_template"), null),
                releaseDate,
                engineImageId,
                text(entry.get("polardb_rpm"), ""),
                push,
                enable);
    }

    private static void checkManagers(List<ImageSpec> images, List<String> problems) {
        Map<String, ImageSpec> byId = new LinkedHashMap<>();
        images.forEach(i -> byId.putIfAbsent(i.id(), i));
        for (ImageSpec image : images) {
            if (image.type() != ImageSpec.Type.MANAGER || !image.enable()) {
                continue;
            }
            String at = "image '" + image.id() + "': engine_image_id: '" + image.engineImageId() + "' ";
            ImageSpec engine = byId.get(image.engineImageId());
            if (engine == null) {
                problems.add(at + "names no image in this file; use the id of an engine image " + ids(images));
            } else if (engine.type() != ImageSpec.Type.ENGINE) {
                problems.add(at + "is a " + engine.type().name().toLowerCase() + " image; name an engine image");
            } else if (!engine.enable()) {
                problems.add(at + "is disabled (enable: false), so it is not built in this run; enable it or name"
                        + " an enabled engine image");
            }
        }
    }

    private static String ids(List<ImageSpec> images) {
        return images.stream()
                .filter(i -> i.type() == ImageSpec.Type.ENGINE)
                .map(ImageSpec::id)
                .toList()
                .toString();
    }

    private static boolean bool(Map<?, ?> entry, String key, String at, List<String> problems) {
        Object value = entry.get(key);
        if (value == null) {
            return true;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        problems.add(at + ": " + key + ": '" + value + "' is not true or false");
        return true;
    }

    private static String text(Object value, String fallback) {
        if (value == null || value.toString().isBlank()) {
            return fallback;
        }
        if (value instanceof java.util.Date date) { // YAML reads 2021-09-10 as a timestamp; show it as written
            return date.toInstant().toString().substring(0, 10);
        }
        return value.toString().strip();
    }
}
