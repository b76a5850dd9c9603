package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ClusterResources.NodeState;
import io.polarstack.orchestrator.ports.ClusterResources.PodState;
import io.polarstack.orchestrator.ports.ManagerClient.Health;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import java.util.Locale;

/**
 * Whether the RW the HA monitor saw failing is down, judged on second paths before anything is promoted: the engine
 * asked again over SQL, the manager agent's view of the postmaster, the pod and its node from the API server. One
 * failing path never decides alone: an engine that answers on either path is left alone. Pure: evidence in, verdict
 * and its account out.
 */
public final class RwFailureEvidence {

    private RwFailureEvidence() {}

    public enum Verdict {
        /** The engine answers: no failover. */
        ANSWERS,
        /** The manager saw that the engine does not run (or still starts, past the monitor's grace): fail over. */
        DOWN,
        /** No path reaches the engine (exec failed, pod gone, node NotReady): fail over, fencing needs proof. */
        UNREACHABLE
    }

    /**
     * What each path said.
     *
     * @param rw             how the account names the RW (type, id, pod, node)
     * @param engineAnswered the engine answered over SQL just now
     * @param engineDetail   what it said, or why it did not answer
     * @param health         the manager's answer; null when it gave none
     * @param managerFailure why the manager gave no answer (exec failed, no pod to exec into); null when it did
     * @param pod            the pod as the API server has it; null when it is gone
     * @param nodeName       the node the RW runs (ran) on; null when unknown
     * @param node           that node's state; null when there is no such Node (or the name is unknown)
     */
    public record Evidence(
            String rw,
            boolean engineAnswered,
            String engineDetail,
            Health health,
            String managerFailure,
            PodState pod,
            String nodeName,
            NodeState node) {}

    /** The verdict and an account of why, naming every path's answer (no secrets: none are in the evidence). */
    public record Finding(Verdict verdict, String account) {}

    public static Finding judge(Evidence evidence) {
        Verdict verdict;
        String why;
        if (evidence.engineAnswered()) {
            verdict = Verdict.ANSWERS;
            why = "the engine answers over SQL again";
        } else if (evidence.health() != null && evidence.health().state() == HealthState.RUNNING) {
            verdict = Verdict.ANSWERS;
            why = "the manager says the engine runs and accepts connections (only the monitor's path failed)";
        } else if (evidence.health() != null && evidence.health().state() == HealthState.STOPPED) {
            verdict = Verdict.DOWN;
            why = "the manager confirms the engine is not running";
        } else if (evidence.health() != null) {
            verdict = Verdict.DOWN;
            why = "the manager says the engine is still starting, past the grace the monitor gave it";
        } else {
            verdict = Verdict.UNREACHABLE;
            why = "no path reaches the engine; fencing needs proof that it stopped";
        }
        return new Finding(verdict, verdict + " for " + evidence.rw() + ": " + why + ". " + facts(evidence));
    }

    private static String facts(Evidence evidence) {
        String manager = evidence.health() != null
                ? evidence.health().state().name().toLowerCase(Locale.ROOT)
                        + (evidence.health().locked() ? " (stop lock held)" : "")
                        + detail(evidence.health().detail())
                : "no answer (" + evidence.managerFailure() + ")";
        return "Engine over SQL: " + (evidence.engineAnswered() ? "answers" : "no answer")
                + detail(evidence.engineDetail()) + "; manager: " + manager + "; pod: " + pod(evidence.pod())
                + "; node " + (evidence.nodeName() == null ? "unknown" : evidence.nodeName()) + ": "
                + node(evidence.node());
    }

    private static String detail(String detail) {
        return detail == null || detail.isBlank() ? "" : " (" + detail + ")";
    }

    static String pod(PodState pod) {
        if (pod == null) {
            return "gone";
        }
        return pod.phase() + (pod.ready() ? ", ready" : ", not ready") + (pod.deleting() ? ", being deleted" : "");
    }

    static String node(NodeState node) {
        if (node == null) {
            return "no such Node";
        }
        return (node.ready() ? "Ready" : "NotReady")
                + (node.outOfService() ? ", tainted " + ClusterResources.OUT_OF_SERVICE_TAINT : "");
    }
}
