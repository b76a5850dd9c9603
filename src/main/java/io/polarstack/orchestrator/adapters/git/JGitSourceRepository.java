package io.polarstack.orchestrator.adapters.git;

import io.polarstack.orchestrator.ports.SourceRepository;
import java.io.IOException;
import java.nio.file.Path;
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

    @Override
    public Revision cloneShallow(String url, String branch, Path target) {
        try (Git git = Git.cloneRepository()
                .setURI(url)
                .setDirectory(target.toFile())
                .setBranch(branch)
                .setBranchesToClone(List.of(Constants.R_HEADS + branch))
                .setDepth(1)
                .setCloneSubmodules(true)
                .call()) {
            return revision(git.getRepository());
        } catch (GitAPIException | IOException | RuntimeException e) {
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
