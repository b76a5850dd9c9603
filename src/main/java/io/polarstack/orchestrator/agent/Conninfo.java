package io.polarstack.orchestrator.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/** A libpq connection string with every value quoted by libpq's rules (single quotes, '\' escapes). */
final class Conninfo {

    private Conninfo() {}

    static String of(InstallSpec.Primary primary, String applicationName) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("host", primary.host());
        kv.put("port", Integer.toString(primary.port()));
        kv.put("user", primary.user());
        kv.put("password", primary.password());
        kv.put("application_name", applicationName);
        return join(kv);
    }

    /** For a command line (pg_rewind): no password, which goes in PGPASSWORD instead, since argv is public. */
    static String withoutPassword(InstallSpec.Primary primary, String dbname) {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("host", primary.host());
        kv.put("port", Integer.toString(primary.port()));
        kv.put("user", primary.user());
        kv.put("dbname", dbname);
        return join(kv);
    }

    private static String join(Map<String, String> kv) {
        StringBuilder s = new StringBuilder();
        kv.forEach((k, v) ->
                s.append(s.length() == 0 ? "" : " ").append(k).append('=').append(quote(v)));
        return s.toString();
    }

    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
