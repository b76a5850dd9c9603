package io.polarstack.orchestrator.service;

import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ClusterResources.NodeState;
import io.polarstack.orchestrator.ports.ClusterResources.PodState;

/**
 * What proves, in local mode, that the old RW can no longer write when its manager could not stop it. A pod object
 * that is gone is no proof by itself: a pod force-deleted on an unreachable node keeps running there. Proof is the
 * node's out-of-service taint (someone says it is powered off, as Kubernetes' non-graceful node shutdown has it), or
 * the pod gone while its node is Ready (then its kubelet, which answers, stopped it). The manager's stop and a person's
 * confirmation are the other proofs; the delegate checks those. Pure: facts in, proof or the facts for a person out.
 */
public final class FenceProof {

    private FenceProof() {}

    /**
     * @param proven  the old RW cannot write
     * @param account the proof, or what was tried, why it is no proof and how to give one
     */
    public record Outcome(boolean proven, String account) {}

    /** Proof that needs no exec into a node that may be down: the out-of-service taint; null when absent. */
    public static String outOfService(String nodeName, NodeState node) {
        return node != null && node.outOfService()
                ? "node " + nodeName + " is marked out of service (taint " + ClusterResources.OUT_OF_SERVICE_TAINT + ")"
                : null;
    }

    /**
     * The manager could not stop the old RW ({@code stopFailure}); the pod and node decide.
     *
     * @param rw       how the account names the old RW
     * @param nodeName the node it runs (ran) on; null when unknown
     * @param pod      the pod; null when it is gone
     * @param node     the node's state; null when there is no such Node
     */
    public static Outcome afterFailedStop(
            String rw, String nodeName, PodState pod, NodeState node, String stopFailure) {
        String taint = outOfService(nodeName, node);
        if (taint != null) {
            return new Outcome(true, taint);
        }
        if (pod == null && node != null && node.ready()) {
            return new Outcome(
                    true, "the pod is gone and node " + nodeName + " is Ready: its kubelet stopped the engine");
        }
        String where = nodeName == null ? "its node (unknown)" : "node " + nodeName;
        String whyNot = pod == null
                ? "its pod is gone, but " + where + " is " + RwFailureEvidence.node(node)
                        + ": a pod deleted on an unreachable node may still run there"
                : "its pod still exists (" + RwFailureEvidence.pod(pod) + ") on " + where + " ("
                        + RwFailureEvidence.node(node) + ")";
        String taintCommand = "kubectl taint nodes " + (nodeName == null ? "<node>" : nodeName) + " "
                + ClusterResources.OUT_OF_SERVICE_TAINT + "=nodeshutdown:NoExecute";
        return new Outcome(
                false,
                "No proof that the old RW " + rw + " has stopped, so nothing is promoted. Tried: its manager's stop ("
                        + stopFailure + "). Not proof: " + whyNot + ". Give proof one of three ways: once " + where
                        + " is powered off, mark it out of service (" + taintCommand
                        + "); or stop the engine so its manager says so; or confirm in Tasklist (task 'Confirm the old"
                        + " RW is stopped', oldRwStopped=true) that " + where
                        + " is powered off or the old RW is stopped. The check runs again every 10 s.");
    }
}
