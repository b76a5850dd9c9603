package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code postgresql.conf} (or {@code recovery.conf}) as lines. Setting a key rewrites its last active line, or
 * appends one; every other line, comments included, stays as it was. Values are always written quoted by the
 * server's own configuration-file rules, so no value can end the string, start a comment or add a line.
 */
public final class ConfFile {

    /** A parameter name as the server's configuration lexer accepts it (with one optional extension prefix). */
    public static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    private static final Pattern LINE = Pattern.compile("^\\s*(" + KEY.pattern() + ")\\s*=?\\s*(.*)$");

    private final List<String> lines;

    public ConfFile(List<String> lines) {
        this.lines = new ArrayList<>(lines);
    }

    public static ConfFile parse(String text) {
        return new ConfFile(text.isEmpty() ? List.of() : List.of(text.split("\n", -1)));
    }

    public static ConfFile read(Path file) {
        try {
            return Files.exists(file) ? parse(Files.readString(file, StandardCharsets.UTF_8)) : new ConfFile(List.of());
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes through a temporary file and a rename, so a crash never leaves a half-written configuration. */
    public void write(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public String text() {
        String text = String.join("\n", lines);
        return text.endsWith("\n") || text.isEmpty() ? text : text + "\n";
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public void setAll(Map<String, String> values) {
        values.forEach(this::set);
    }

    public void set(String key, String value) {
        String line = key + " = " + quote(key, value);
        int at = lastActiveLine(key);
        if (at >= 0) {
            lines.set(at, line);
        } else {
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.add(lines.size() - 1, line);
            } else {
                lines.add(line);
            }
        }
    }

    public Optional<String> get(String key) {
        int at = lastActiveLine(key);
        if (at < 0) {
            return Optional.empty();
        }
        Matcher m = LINE.matcher(lines.get(at));
        m.matches();
        return Optional.of(unquote(m.group(3)));
    }

    public boolean contains(String key) {
        return lastActiveLine(key) >= 0;
    }

    private int lastActiveLine(String key) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = LINE.matcher(lines.get(i));
            if (m.matches() && m.group(1).toLowerCase(Locale.ROOT).equals(key.toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        return -1;
    }

    /** Checks a parameter name before it goes into a file or a SQL identifier. */
    public static String checkKey(String key) {
        if (!KEY.matcher(key).matches() || key.length() > 63) {
            throw AgentException.invalid("parameter name '" + Request.printable(key)
                    + "' is not valid: letters, digits, '_' and '$', with at most one '.', at most 63 characters");
        }
        return key;
    }

    /**
     * The value as a quoted configuration string: backslash and quote escaped, newline and carriage return
     * written as the escapes the server decodes. Other control characters have no encoding and are refused.
     */
    public static String quote(String key, String value) {
        StringBuilder s = new StringBuilder("'");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\'' -> s.append("''");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        throw AgentException.invalid("value of parameter '" + key + "' holds control character "
                                + String.format("\\x%02x", (int) c) + ", which a configuration file cannot hold");
                    }
                    s.append(c);
                }
            }
        }
        return s.append('\'').toString();
    }

    /** The value part of a line (after the key and the optional '='), decoded; a trailing comment is dropped. */
    static String unquote(String rest) {
        String v = rest.strip();
        if (!v.startsWith("'")) {
            int end = 0;
            while (end < v.length() && !Character.isWhitespace(v.charAt(end)) && v.charAt(end) != '#') {
                end++;
            }
            return v.substring(0, end);
        }
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\'') {
                if (i + 1 < v.length() && v.charAt(i + 1) == '\'') {
                    s.append('\'');
                    i++;
                } else {
                    break;
                }
            } else if (c == '\\' && i + 1 < v.length()) {
                char n = v.charAt(++i);
                s.append(
                        switch (n) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'f' -> '\f';
                            default -> n;
                        });
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
