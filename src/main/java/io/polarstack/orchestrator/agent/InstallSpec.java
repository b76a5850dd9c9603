package io.polarstack.orchestrator.agent;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The validated install request. Everything is checked before the agent touches a file. */
public record InstallSpec(
        Role role,
        Mode mode,
        int port,
        String listenAddresses,
        Map<String, String> params,
        Optional<Path> confTemplate,
        List<String> hbaCidrs,
        Path hostHbaFile,
        boolean lockInstall,
        Optional<Primary> primary,
        Optional<String> slotName,
        Optional<String> logicInsId,
        Optional<String> wwid,
        Optional<String> polarHostId) {

    public enum Role {
        RW,
        RO
    }

    public enum Mode {
        LOCAL,
        SHARE
    }

    /** Where a RO streams from: the RW's address and the replication account (privilege 15). */
    public record Primary(String host, int port, String user, String password) {
        @Override
        public String toString() {
            return "Primary[" + host + ":" + port + " as " + user + "]";
        }
    }

    static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.:-]{0,252}[A-Za-z0-9])?");
    static final Pattern ADDRESSES = Pattern.compile("\\*|[A-Za-z0-9.:-]+(\\s*,\\s*[A-Za-z0-9.:-]+)*");
    static final Pattern CIDR = Pattern.compile("[0-9A-Fa-f.:]+/[0-9]{1,3}|samehost|samenet|all");
    static final Pattern ID = Pattern.compile("[0-9]{1,19}");
    static final Pattern WWID = Pattern.compile("[A-Za-z0-9_-]{1,120}");
    public static final Pattern ROLE_NAME = Pattern.compile("(?!pg_)[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final Pattern PASSWORD = Pattern.compile("[^\\x00]{1,1024}");

    static InstallSpec from(Request r, Flavour flavour) {
        Role role = r.choice("role", Role.class, null);
        Mode mode = r.choice("mode", Mode.class, Mode.LOCAL);
        int port = r.port("port");
        String listen = r.optString(
                        "listenAddresses", ADDRESSES, "'*' or a comma-separated list of host names or addresses")
                .orElse("*");
        Map<String, String> params = checkedParams(r.stringMap("params"), flavour);
        List<String> cidrs = r.optStringList("hbaCidrs").orElse(List.of("0.0.0.0/0", "::/0"));
        for (String c : cidrs) {
            if (!CIDR.matcher(c).matches()) {
                throw AgentException.invalid("request field 'hbaCidrs' entry '" + Request.printable(c)
                        + "' is not an address range like 10.0.0.0/8 (or samehost, samenet, all)");
            }
        }
        Optional<Primary> primary = Optional.empty();
        Optional<String> slot = Optional.empty();
        if (role == Role.RO && mode == Mode.LOCAL) {
            primary = Optional.of(primary(r.object("primary")));
        }
        if (role == Role.RO) {
            slot = Optional.of(
                    SlotNames.name(SlotNames.Type.REPLICA, r.string("custinsId"), r.string("slotUniqueName")));
        }
        Optional<String> wwid = r.optString("wwid", WWID, "letters, digits, '_' and '-'");
        if (mode == Mode.SHARE && wwid.isEmpty()) {
            throw AgentException.invalid(
                    "request field 'wwid' is required in share mode (the shared LUN's multipath WWID)");
        }
        return new InstallSpec(
                role,
                mode,
                port,
                listen,
                params,
                r.optPath("confTemplate"),
                cidrs,
                r.optPath("hostHbaFile").orElse(Path.of("/etc/postgres/pg_hba.conf")),
                r.bool("lockInstall", false),
                primary,
                slot,
                r.optString("logicInsId", ID, "digits only"),
                wwid,
                r.optString("polarHostId", ID, "digits only"));
    }

    /** The {@code primary} object of a request: host, port, user and password, each checked. */
    static Primary primary(Request p) {
        return new Primary(
                p.string("host", HOST, "a host name or IP address"),
                p.port("port"),
                p.string("user", ROLE_NAME, "letters, digits and '_', not starting with a digit or pg_, at most 63"),
                p.string("password", PASSWORD, "1 to 1024 characters, no NUL"));
    }

    /**
     * Parameter names checked, any not on the flavour's allow list ({@link EngineParameters}) refused, values proven
     * writable: all before the agent touches a file, so a refused request changes nothing.
     */
    static Map<String, String> checkedParams(Map<String, String> params, Flavour flavour) {
        for (Map.Entry<String, String> e : params.entrySet()) {
            ConfFile.checkKey(e.getKey());
        }
        List<String> refused = EngineParameters.refused(flavour.name(), params.keySet());
        if (!refused.isEmpty()) {
            throw AgentException.invalid(EngineParameters.refusal(flavour.name(), refused, "request field 'params'"));
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            ConfFile.quote(e.getKey(), e.getValue());
        }
        return params;
    }

    /** {@code mapper_<wwid>}: the PFS disk name of a SAN LUN. */
    public String diskName() {
        return "mapper_" + wwid.orElseThrow(() -> AgentException.invalid("request field 'wwid' is required"));
    }
}
