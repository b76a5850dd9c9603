package io.polarstack.orchestrator.agent;

import java.util.regex.Pattern;

/**
 * Replication slot names: {@code <prefix>_<custins_id>_<slot_unique_name>} with '-' replaced by '_', prefix
 * {@code replica} for RW/RO pairs and {@code standby} for standbys. For an RO the orchestrator sends its
 * physicalInsId and insId, as PolarDB Stack does ({@code replica_<physicalInsId>_<insId>}); the slot name is also
 * the replica's {@code application_name} (Conninfo). The server allows only lower-case letters,
 * digits and '_' up to 63 characters, so anything else is refused here rather than failing later.
 */
public final class SlotNames {

    public enum Type {
        REPLICA,
        STANDBY
    }

    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");

    private SlotNames() {}

    public static String name(Type type, String custinsId, String slotUniqueName) {
        String name = (type == Type.REPLICA ? "replica" : "standby") + "_" + custinsId + "_"
                + slotUniqueName.replace('-', '_');
        if (!SLOT.matcher(name).matches()) {
            throw AgentException.invalid(
                    "replication slot name '" + Request.printable(name) + "' (from custinsId and slotUniqueName) "
                            + "may hold only lower-case letters, digits, '_' and '-', at most 63 characters in all");
        }
        return name;
    }
}
