package io.polarstack.orchestrator.service.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Tags as image.py made them, so existing habits and catalogs keep working. */
public final class ImageTags {

    private static final Pattern PACKAGE_VERSION = Pattern.compile("^PACKAGE_VERSION='([^']+)'", Pattern.MULTILINE);

    private ImageTags() {}

    /** {@code <package version>.<release date>.<commit[:8]>.<timestamp>}, e.g. 11.9.20210910.59fcf529.20220121152612 */
    public static String engineTag(String packageVersion, String releaseDate, String commit, String timestamp) {
        return packageVersion + "." + releaseDate + "." + shortCommit(commit) + "." + timestamp;
    }

    /** {@code <timestamp>.<commit of the repository holding image.yml, [:8]>}, e.g. 20220121152612.700bf8db */
    public static String managerTag(String timestamp, String commit) {
        return timestamp + "." + shortCommit(commit);
    }

    /** {@code PACKAGE_VERSION} from the engine source's autoconf {@code configure} script. */
    public static String packageVersion(Path source) {
        Path configure = source.resolve("configure");
        String text;
        try {
            text = Files.readString(configure);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read " + configure + " (" + e.getMessage() + "); the engine"
                            + " source must be a PostgreSQL tree with its configure script (check engine_repo/engine_branch)",
                    e);
        }
        Matcher matcher = PACKAGE_VERSION.matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException(configure + " sets no PACKAGE_VERSION='...'; the engine source must be"
                    + " a PostgreSQL tree (check engine_repo/engine_branch)");
        }
        return matcher.group(1);
    }

    static String shortCommit(String commit) {
        if (commit == null || commit.isEmpty()) {
            return "nocommit";
        }
        return commit.length() > 8 ? commit.substring(0, 8) : commit;
    }
}
