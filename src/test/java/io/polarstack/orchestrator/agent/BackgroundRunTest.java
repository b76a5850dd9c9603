package io.polarstack.orchestrator.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundRunTest {

    @TempDir
    Path dir;

    @Test
    void onlyOldRunsWithAnAnswerArePruned() throws Exception {
        Instant now = Instant.now();
        Path oldFinished = status(
                "old-finished", "{\"state\":\"succeeded\",\"answer\":{\"ok\":true}}", now.minus(Duration.ofDays(40)));
        Path oldRunning = status("old-running", "{\"state\":\"running\",\"pid\":1}", now.minus(Duration.ofDays(40)));
        Path newFinished = status("new-finished", "{\"state\":\"failed\",\"answer\":{\"ok\":false}}", now);

        BackgroundRun.pruneFinished(dir, now.minus(BackgroundRun.KEEP_FINISHED));

        assertThat(oldFinished).doesNotExist();
        assertThat(dir.resolve("old-finished.out")).doesNotExist();
        assertThat(oldRunning).exists();
        assertThat(dir.resolve("old-running.out")).exists();
        assertThat(newFinished).exists();
    }

    private Path status(String id, String json, Instant modified) throws Exception {
        Path file = Files.writeString(dir.resolve(id + ".json"), json);
        Files.writeString(dir.resolve(id + ".out"), "output of " + id);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }
}
