package io.polarstack.orchestrator.adapters.ssh;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An SSH exec request is one string that the remote login shell parses. Each argv word is wrapped in single
 * quotes, inside which a POSIX shell expands nothing; a single quote in a word becomes {@code '\''}. So every word
 * arrives as exactly one argument, whatever it contains.
 */
final class ShellWords {

    private ShellWords() {}

    static String quote(String word) {
        if (word.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a command word cannot contain a NUL byte");
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static String command(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        return argv.stream().map(ShellWords::quote).collect(Collectors.joining(" "));
    }
}
