package io.polarstack.orchestrator.delegates.flushparams;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_SaveFlush: {@code <cluster>-running-params} takes the flushed values, {@code <cluster>-user-params} the
 * forced-back ones and annotation {@code latestFlushTime=now} (PolarDB Stack's SaveParamsLastUpdateTime); the
 * served {@code flushParams} and {@code flushParamsRestartCluster} annotations go. A no-op flush writes no ConfigMap
 * and says so. A re-run rewrites the same values.
 */
@Component
public class SaveFlushDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public SaveFlushDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String ns = cluster.getMetadata().getNamespace();
        var changes = Flush.map(execution, Flush.CHANGES);
        var forcedBack = Flush.map(execution, Flush.FORCED_BACK);
        boolean noOp = Boolean.TRUE.equals(execution.getVariable(Flush.NO_OP));
        Instant now = Instant.now();
        if (!noOp) {
            String running = ParamsConfigMaps.runningParamsName(cluster);
            if (!changes.isEmpty()) {
                resources.apply(ParamsConfigMaps.update(
                        cluster, running, resources.configMapData(ns, running).orElse(Map.of()), changes, now));
            }
            String user = ParamsConfigMaps.userParamsName(cluster);
            var userMap = ParamsConfigMaps.update(
                    cluster, user, resources.configMapData(ns, user).orElse(Map.of()), forcedBack, now);
            Map<String, String> annotations =
                    new HashMap<>(resources.configMapAnnotations(ns, user).orElse(Map.of()));
            annotations.put(Flush.LATEST_FLUSH_TIME, now.toString());
            userMap.getMetadata().setAnnotations(annotations);
            resources.apply(userMap);
        }
        Requests.clear(resources, cluster, Annotations.FLUSH_PARAMS, v -> true);
        var updated =
                resources.annotate(ns, cluster.getMetadata().getName(), Map.of(), Set.of(Flush.RESTART_ANNOTATION));
        resources.event(
                updated,
                "Normal",
                noOp ? "FlushNoOp" : "ParamsFlushed",
                noOp
                        ? "nothing to flush: every user parameter equals the running one or is not newer than the last"
                                + " flush; nothing was changed"
                        : "flushed " + changes + (forcedBack.isEmpty() ? "" : "; forced back " + forcedBack)
                                + "; latestFlushTime " + now);
    }
}
