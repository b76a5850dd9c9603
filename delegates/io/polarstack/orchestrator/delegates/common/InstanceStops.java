package io.polarstack.orchestrator.delegates.common;

import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * Stops a cluster's instances one after the other, each stop a background run in its manager container: one stop
 * fits a job lock, several in one step may not. Each execution of the step starts or polls the stop of the first
 * instance not yet done, moves on when it is, and says whether all are; a timer loop comes back while a stop runs.
 * Which instances are done is a process variable (their ids), so a rerun of the step never stops one twice.
 */
public final class InstanceStops {

    /** What a step does with one instance. */
    public interface Policy {
        /** Nothing to stop (a pod that is gone, going, or not running). */
        boolean nothingToStop(ClusterResources.PodState pod);

        /**
         * The stop failed: true to count the instance as done anyway (best effort), false to fail the step. A manager
         * container that is not running ({@code CONTAINER_NOT_READY}) never reaches this: it has nothing to stop.
         */
        boolean proceedAfter(InstanceStatus instance, ManagerClient.ManagerException failure);

        /** After the stop (or its accepted failure), before the instance counts as done. */
        default void afterStop(MPDCluster cluster, InstanceStatus instance) {}
    }

    private InstanceStops() {}

    /** Starts or polls the next stop; true once every instance of {@code order} is done. */
    public static boolean next(
            DelegateExecution execution,
            ClusterResources resources,
            ManagerClient manager,
            MPDCluster cluster,
            List<InstanceStatus> order,
            String doneVariable,
            int stopTimeoutSeconds,
            Policy policy) {
        Set<String> done = done(execution, doneVariable);
        String ns = cluster.getMetadata().getNamespace();
        try {
            for (InstanceStatus instance : order) {
                if (done.contains(instance.getInsId())) {
                    continue;
                }
                var pod = resources.pod(ns, instance.getPodName());
                if (pod.isPresent() && !policy.nothingToStop(pod.get())) {
                    if (!stopped(execution, manager, cluster, instance, stopTimeoutSeconds, policy)) {
                        return false;
                    }
                    policy.afterStop(cluster, instance);
                }
                done.add(instance.getInsId());
            }
            return true;
        } finally {
            execution.setVariable(doneVariable, String.join(",", done));
        }
    }

    /** The ids of {@code doneVariable}. */
    public static Set<String> done(DelegateExecution execution, String doneVariable) {
        Object v = execution.getVariable(doneVariable);
        Set<String> done = new LinkedHashSet<>();
        if (v instanceof String s && !s.isBlank()) {
            done.addAll(List.of(s.split(",")));
        }
        return done;
    }

    /** The instances of {@code order} not done yet. */
    public static List<InstanceStatus> remaining(
            DelegateExecution execution, List<InstanceStatus> order, String doneVariable) {
        Set<String> done = done(execution, doneVariable);
        List<InstanceStatus> left = new ArrayList<>();
        for (InstanceStatus i : order) {
            if (!done.contains(i.getInsId())) {
                left.add(i);
            }
        }
        return left;
    }

    private static boolean stopped(
            DelegateExecution execution,
            ManagerClient manager,
            MPDCluster cluster,
            InstanceStatus instance,
            int stopTimeoutSeconds,
            Policy policy) {
        try {
            return manager.stopInBackground(
                            ClusterSteps.target(cluster, instance),
                            ManagerClient.StopMode.FAST,
                            stopTimeoutSeconds,
                            BackgroundRuns.runId(execution, "stop-" + instance.getInsId()))
                    .done();
        } catch (ManagerClient.ManagerException e) {
            if ("CONTAINER_NOT_READY".equals(e.code()) || policy.proceedAfter(instance, e)) {
                return true;
            }
            throw e;
        }
    }
}
