package io.polarstack.orchestrator.operator;

import java.util.Map;

/**
 * What a cluster's spec and annotations ask for: the flow to run, the state the cluster shows meanwhile,
 * and the flow's start variables.
 *
 * @param row                 the trigger table row (PolarDB Stack's order), for messages and tests
 * @param state               {@code status.clusterStatus} while the flow runs
 * @param processKey          the BPMN process id
 * @param variables           small start values (instance ids, node names)
 * @param recoverFromFirstStep a resume re-runs the flow from its first step
 */
public record Trigger(
        int row, String state, String processKey, Map<String, Object> variables, boolean recoverFromFirstStep) {

    public Trigger {
        variables = Map.copyOf(variables);
    }

    static Trigger of(int row, String state, String processKey) {
        return new Trigger(row, state, processKey, Map.of(), false);
    }

    static Trigger of(int row, String state, String processKey, Map<String, Object> variables) {
        return new Trigger(row, state, processKey, variables, false);
    }
}
