package io.polarstack.orchestrator.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A system account as its Secret holds it (PolarDB Stack's keys {@code Account}, {@code Password},
 * {@code Priviledge_type}). The password stays in this object: never in a log line, a variable or an argv.
 */
public record Account(String user, String password, int privilege) {

    /** The account of a Secret's data; empty when a key is missing. */
    public static Optional<Account> of(Map<String, byte[]> data) {
        if (data == null || data.get("Account") == null || data.get("Password") == null) {
            return Optional.empty();
        }
        byte[] privilege = data.get("Priviledge_type");
        return Optional.of(new Account(
                text(data.get("Account")),
                text(data.get("Password")),
                privilege == null ? 0 : Integer.parseInt(text(privilege).trim())));
    }

    @Override
    public String toString() {
        return "Account[" + user + "]";
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }
}
