package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellWordsTest {

    @Test
    void wrapsEveryWordInSingleQuotes() {
        assertThat(ShellWords.command(List.of("multipath", "-ll"))).isEqualTo("'multipath' '-ll'");
        assertThat(ShellWords.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellWords.quote("")).isEqualTo("''");
    }

    @Test
    void refusesNulAndEmptyCommands() {
        assertThatThrownBy(() -> ShellWords.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellWords.command(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    /** The same parse the remote login shell does: each hostile word comes out as one argument, and nothing runs. */
    @Test
    void hostileWordsReachTheShellAsSingleArgumentsAndRunNothing(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        List<String> hostile = List.of(
                "$(touch " + marker + ")",
                "`touch " + marker + "`",
                "'; touch " + marker + "; '",
                "a\"b\\c",
                "x\ntouch " + marker,
                "; touch " + marker,
                "| touch " + marker,
                "&& touch " + marker,
                "*",
                "~",
                "$HOME",
                "${IFS}",
                "'\\''",
                "--param-sark=0x1 --clear",
                " leading and trailing ",
                "it's");
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(hostile);
        Process p = new ProcessBuilder("/bin/bash", "-c", ShellWords.command(argv)).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        String[] words = new String(out, StandardCharsets.UTF_8).split("\0", -1);
        assertThat(List.of(words).subList(0, words.length - 1)).containsExactlyElementsOf(hostile);
        assertThat(Files.exists(marker)).isFalse();
    }
}
