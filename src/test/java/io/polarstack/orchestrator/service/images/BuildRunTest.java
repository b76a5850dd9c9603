package io.polarstack.orchestrator.service.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class BuildRunTest {

    @Test
    void aRunHasAShortIdTheTagTimestampAndWhoBuilt() {
        var run = BuildRun.started(LocalDateTime.of(2022, 1, 21, 15, 26, 12), "ci", "builder-1");
        assertThat(run.id()).matches("[0-9a-f]{8}");
        assertThat(run.timestamp()).isEqualTo("20220121152612");
        assertThat(run.builtBy()).isEqualTo("ci@builder-1");
        assertThat(BuildRun.started(LocalDateTime.now(), "ci", "h").id())
                .as("every run its own id")
                .isNotEqualTo(run.id());
    }

    @Test
    void hereIsThisProcesssUserOnThisMachine() {
        assertThat(BuildRun.startedHere().builtBy())
                .startsWith(System.getProperty("user.name") + "@")
                .hasSizeGreaterThan(2);
    }
}
