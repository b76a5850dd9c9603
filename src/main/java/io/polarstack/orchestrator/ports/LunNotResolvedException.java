package io.polarstack.orchestrator.ports;

import io.polarstack.orchestrator.ports.StorageFabric.LunDiagnosis;
import io.polarstack.orchestrator.ports.StorageFabric.LunState;
import java.util.List;
import java.util.stream.Collectors;

/** A WWID is not usable on every storage host; {@link #diagnoses()} says, per host, what it sees and why. */
public class LunNotResolvedException extends StorageFabricException {

    private final String wwid;
    private final List<LunDiagnosis> diagnoses;

    public LunNotResolvedException(String wwid, List<LunDiagnosis> diagnoses) {
        super(message(wwid, diagnoses));
        this.wwid = wwid;
        this.diagnoses = List.copyOf(diagnoses);
    }

    public String wwid() {
        return wwid;
    }

    public List<LunDiagnosis> diagnoses() {
        return diagnoses;
    }

    private static String message(String wwid, List<LunDiagnosis> diagnoses) {
        return "LUN " + wwid + " is not usable on every storage host:"
                + diagnoses.stream()
                        .filter(d -> d.state() != LunState.READY)
                        .map(d -> "\n  " + d.node() + ": " + d.state() + ", "
                                + d.state().cause()
                                + (d.detail() == null ? "" : " (" + d.detail() + ")")
                                + (d.state() == LunState.HOST_UNREACHABLE
                                        ? ""
                                        : "; it sees "
                                                + (d.visibleWwids().isEmpty()
                                                        ? "no multipath LUNs"
                                                        : String.join(", ", d.visibleWwids()))))
                        .collect(Collectors.joining());
    }
}
