package io.polarstack.orchestrator.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which parameter values a FlushParams writes, by PolarDB Stack's rules (SharedStorageClusterFlushParams): a user
 * value wins when it is newer than the running value and than the last flush; template parameters the user may not
 * change are forced back to their default; {@code log_line_prefix} is never flushed; {@code ssl*} and
 * {@code listen_addresses} are never overridden. Then each change is classified by the engine's own
 * {@code pg_settings.context}. Pure: the flow's steps read the inputs and write the outcome.
 */
public final class FlushDecision {

    /** One entry of a params ConfigMap: its value and when it was last written ({@code updateTime}). */
    public record Entry(String value, Instant updateTime) {}

    /** A template parameter (PolarDB Stack's mycnf template): its default and whether a user may change it. */
    public record TemplateEntry(String defaultValue, boolean userChangeable) {}

    /**
     * @param changes   name to the value every instance gets (sorted)
     * @param forcedBack user entries set back to the template default (written to the user params ConfigMap)
     * @param ignored   user entries that are never flushed, with why
     */
    public record Plan(Map<String, String> changes, Map<String, String> forcedBack, List<String> ignored) {
        public boolean noOp() {
            return changes.isEmpty() && forcedBack.isEmpty();
        }
    }

    /** Never flushed: PolarDB Stack keeps the image's prefix, which its log collection parses. */
    static final Set<String> NEVER_FLUSHED = Set.of("log_line_prefix");

    private FlushDecision() {}

    /** Never overridden: the engine's TLS files and the address it listens on belong to the image and the pod. */
    static boolean neverOverridden(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.equals("ssl") || n.startsWith("ssl_") || n.equals("listen_addresses");
    }

    /**
     * @param latestFlushTime the user params ConfigMap's {@code latestFlushTime}; null before the first flush
     * @param template        the mycnf template; empty when the catalog has none (then nothing is forced back)
     */
    public static Plan plan(
            Map<String, Entry> user,
            Map<String, Entry> running,
            Instant latestFlushTime,
            Map<String, TemplateEntry> template) {
        Map<String, String> changes = new TreeMap<>();
        Map<String, String> forcedBack = new TreeMap<>();
        List<String> ignored = new ArrayList<>();
        for (var e : new TreeMap<>(user).entrySet()) {
            String name = e.getKey();
            Entry wanted = e.getValue();
            Entry now = running.get(name);
            if (NEVER_FLUSHED.contains(name.toLowerCase(Locale.ROOT))) {
                ignored.add(name + " (never flushed)");
                continue;
            }
            if (neverOverridden(name)) {
                ignored.add(name + " (never overridden)");
                continue;
            }
            TemplateEntry fixed = template.get(name);
            if (fixed != null && !fixed.userChangeable()) {
                if (!fixed.defaultValue().equals(wanted.value())) {
                    forcedBack.put(name, fixed.defaultValue());
                }
                if (now == null || !fixed.defaultValue().equals(now.value())) {
                    changes.put(name, fixed.defaultValue());
                }
                continue;
            }
            if (now != null && now.value().equals(wanted.value())) {
                continue;
            }
            boolean newerThanRunning = now == null || newer(wanted.updateTime(), now.updateTime());
            boolean newerThanFlush = latestFlushTime == null || newer(wanted.updateTime(), latestFlushTime);
            if (newerThanRunning && newerThanFlush) {
                changes.put(name, wanted.value());
            } else {
                ignored.add(name + " (not newer than the running value and the last flush)");
            }
        }
        return new Plan(changes, forcedBack, ignored);
    }

    private static boolean newer(Instant a, Instant b) {
        return a != null && (b == null || a.isAfter(b));
    }

    /** How a change takes effect, from {@code pg_settings.context}. */
    public enum Effect {
        RELOAD,
        RESTART,
        /** Not a setting of this engine, or one no configuration can change ({@code internal}). */
        REFUSED
    }

    /** {@code context} null: the engine does not know the name. */
    public static Effect effect(String context) {
        if (context == null || context.equals("internal")) {
            return Effect.REFUSED;
        }
        return context.equals("postmaster") ? Effect.RESTART : Effect.RELOAD;
    }

    /**
     * Whether the engine runs with {@code wanted}: {@code setting} and {@code unit} as pg_settings shows them (a
     * memory or time value in its base unit, a boolean as on/off).
     */
    public static boolean sameValue(String wanted, String setting, String unit, String vartype) {
        if (setting == null) {
            return false;
        }
        String w = unquote(wanted.trim());
        if ("bool".equals(vartype)) {
            Boolean a = bool(w);
            Boolean b = bool(setting);
            return a != null && a.equals(b);
        }
        if (("integer".equals(vartype) || "real".equals(vartype)) && unit != null && !unit.isEmpty()) {
            Double a = inUnit(w, unit);
            Double b = inUnit(setting, unit);
            return a != null && b != null && Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(b));
        }
        if ("integer".equals(vartype) || "real".equals(vartype)) {
            try {
                return Double.parseDouble(w) == Double.parseDouble(setting);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return w.equalsIgnoreCase(setting);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("'") && v.endsWith("'") ? v.substring(1, v.length() - 1) : v;
    }

    private static Boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1", "t", "y" -> true;
            case "off", "false", "no", "0", "f", "n" -> false;
            default -> null;
        };
    }

    private static final Pattern QUANTITY = Pattern.compile("(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*([A-Za-z]*)");

    private static final Map<String, Double> MEMORY = Map.of(
            "B", 1.0, "kB", 1024.0, "MB", 1024.0 * 1024, "GB", 1024.0 * 1024 * 1024, "TB", 1024.0 * 1024 * 1024 * 1024);
    private static final Map<String, Double> TIME =
            Map.of("us", 0.001, "ms", 1.0, "s", 1000.0, "min", 60000.0, "h", 3600000.0, "d", 86400000.0);

    /** {@code value} ("4MB", "200ms", "4096") in pg_settings' {@code unit} ("kB", "8kB", "ms", "s"). */
    static Double inUnit(String value, String unit) {
        var m = QUANTITY.matcher(value.trim());
        if (!m.matches()) {
            return null;
        }
        double number = Double.parseDouble(m.group(1));
        String given = m.group(2);
        double base = factor(unit);
        if (Double.isNaN(base)) {
            return given.isEmpty() ? number : null;
        }
        if (given.isEmpty()) {
            return number; // a bare number is already in the setting's unit
        }
        double f = factor(given);
        if (Double.isNaN(f) || (MEMORY.containsKey(baseOf(unit)) != MEMORY.containsKey(given))) {
            return null;
        }
        return number * f / base;
    }

    /** The size of one {@code unit} in bytes or milliseconds ("8kB" = 8192); NaN when it is neither. */
    private static double factor(String unit) {
        var m = Pattern.compile("([0-9]*)([A-Za-z]+)").matcher(unit);
        if (!m.matches()) {
            return Double.NaN;
        }
        double times = m.group(1).isEmpty() ? 1 : Double.parseDouble(m.group(1));
        Double f = MEMORY.containsKey(m.group(2)) ? MEMORY.get(m.group(2)) : TIME.get(m.group(2));
        return f == null ? Double.NaN : times * f;
    }

    private static String baseOf(String unit) {
        return unit.replaceFirst("^[0-9]+", "");
    }
}
