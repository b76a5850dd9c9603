package io.polarstack.orchestrator.adapters.git;

import io.polarstack.orchestrator.ports.SourceRepository;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.springframework.stereotype.Component;

/** {@link SourceRepository} with JGit: no git binary and no git identity needed on the build machine. */
@Component
public class JGitSourceRepository implements SourceRepository {

    /** A server that sends nothing this long fails the clone (JGit's transport read/connect timeout). */
    static final int IDLE_TIMEOUT_SECONDS = 60;
    /** The whole clone, submodules included: past this the progress monitor cancels it. */
    static final Duration CLONE_TIMEOUT = Duration.ofMinutes(30);

    private final Duration cloneTimeout;
    private final int idleTimeoutSeconds;

    public JGitSourceRepository() {
        this(CLONE_TIMEOUT, IDLE_TIMEOUT_SECONDS);
    }

    JGitSourceRepository(Duration cloneTimeout, int idleTimeoutSeconds) {
        this.cloneTimeout = cloneTimeout;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
    }

    @Override
    public Revision cloneShallow(String url, String branch, Path target) {
        long deadline = System.nanoTime() + cloneTimeout.toNanos();
        try (Git git = Git.cloneRepository()
                .setURI(url)
                .setDirectory(target.toFile())
                .setBranch(branch)
                .setBranchesToClone(List.of(Constants.R_HEADS + branch))
                .setDepth(1)
                .setCloneSubmodules(true)
                .setTimeout(idleTimeoutSeconds)
                .setProgressMonitor(new org.eclipse.jgit.lib.EmptyProgressMonitor() {
                    @Override
                    public boolean isCancelled() {
                        return System.nanoTime() > deadline;
                    }
                })
                .call()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cancelled after " + cloneTimeout);
            }
            return revision(git.getRepository());
        } catch (GitAPIException | IOException | RuntimeException e) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "cannot clone branch " + branch + " of " + url + ": not done within " + cloneTimeout, e);
            }
            throw new IllegalStateException("cannot clone branch " + branch + " of " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Revision> describe(Path path) {
        var builder = new FileRepositoryBuilder()
                .readEnvironment()
                .findGitDir(path.toAbsolutePath().toFile());
        if (builder.getGitDir() == null) {
            return Optional.empty();
        }
        try (Repository repository = builder.build()) {
            return Optional.of(revision(repository));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read the git repository at " + builder.getGitDir() + ": " + e.getMessage(), e);
        }
    }

    private static Revision revision(Repository repository) throws IOException {
        String url = repository.getConfig().getString("remote", "origin", "url");
        ObjectId head = repository.resolve(Constants.HEAD);
        String branch = repository.getBranch();
        return new Revision(url == null ? "" : url, branch == null ? "" : branch, head == null ? "" : head.name());
    }
}
