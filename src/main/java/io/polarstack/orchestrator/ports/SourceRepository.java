package io.polarstack.orchestrator.ports;

import java.nio.file.Path;
import java.util.Optional;

/** Git repositories: the engine source to build, and the repository holding image.yml. */
public interface SourceRepository {

    /** Shallow clone (depth 1, with submodules) of {@code branch} into the empty or absent folder {@code target}. */
    Revision cloneShallow(String url, String branch, Path target);

    /** The repository containing {@code path} (it or a parent folder), if any. */
    Optional<Revision> describe(Path path);

    /**
     * @param url    remote {@code origin}, or empty when there is none
     * @param branch checked-out branch, or the commit id when detached
     * @param commit full commit id, or empty in a repository without commits
     */
    record Revision(String url, String branch, String commit) {}
}
