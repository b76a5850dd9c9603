package io.polarstack.orchestrator.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a cluster's engine parameters follow a class change (PolarDB Stack's UpdateModifyClassMeta and
 * FlushParamsIfNecessary).
 */
public final class ClassParams {

    /**
     * Parameters a hot standby must run with at least the primary's value: PostgreSQL refuses to replay on a standby
     * whose setting is lower (it stops, or pauses recovery, with "insufficient parameter settings").
     */
    public static final List<String> STANDBY_MINIMUMS = List.of(
            "max_connections",
            "max_prepared_transactions",
            "max_locks_per_transaction",
            "max_worker_processes",
            "max_wal_senders");

    private ClassParams() {}

    /**
     * The parameters after the change: one still at the old class's value (so never changed by the user) takes the
     * new class's value; a value the user set stays, and so does anything the new class does not name.
     */
    public static Map<String, String> moved(
            Map<String, String> current, Map<String, String> oldClass, Map<String, String> newClass) {
        Map<String, String> next = new TreeMap<>(current);
        newClass.forEach((name, value) -> {
            String now = current.get(name);
            if (now == null || now.equals(oldClass.get(name))) {
                next.put(name, value);
            }
        });
        return next;
    }

    /** What differs in {@code next} from {@code current}. */
    public static Map<String, String> changes(Map<String, String> current, Map<String, String> next) {
        Map<String, String> changes = new TreeMap<>();
        next.forEach((name, value) -> {
            if (!value.equals(current.get(name))) {
                changes.put(name, value);
            }
        });
        return changes;
    }

    /** The standby minimums that go down from {@code current} to {@code next}, with their new values; empty when none does. */
    public static Map<String, String> lowered(Map<String, String> current, Map<String, String> next) {
        Map<String, String> lowered = new LinkedHashMap<>();
        for (String name : STANDBY_MINIMUMS) {
            Long before = number(current.get(name));
            Long after = number(next.get(name));
            if (before != null && after != null && after < before) {
                lowered.put(name, next.get(name));
            }
        }
        return lowered;
    }

    private static Long number(String value) {
        try {
            return value == null ? null : Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null; // not a plain count: not compared
        }
    }
}
