package io.polarstack.orchestrator.delegates.flushparams;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.FlushDecision;
import io.polarstack.orchestrator.service.InstanceProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_VerifyParams: every instance is read back over JDBC. Each reload-only change must be the value the engine
 * runs with now; each one that needs a restart must be pending there (so the restart will bring it). Otherwise the
 * step fails naming instance, parameter and both values; a retry only reads.
 */
@Component
public class VerifyParamsDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final InstanceProbe probe;
    private final java.time.Duration timeout;

    public VerifyParamsDelegate(ClusterResources resources, InstanceProbe probe, OrchestratorProperties properties) {
        this.resources = resources;
        this.probe = probe;
        this.timeout = properties.ha().probeTimeout().multipliedBy(5);
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var changes = Flush.map(execution, Flush.CHANGES);
        var restart = new IdList().of((String) execution.getVariable(Flush.RESTART_PARAMS));
        List<String> wrong = new ArrayList<>();
        for (String insId : new IdList().of((String) execution.getVariable(Flush.INS_IDS))) {
            var instance = ClusterSteps.instance(cluster, insId);
            var settings =
                    probe.settings(cluster, instance, changes.keySet(), timeout).settings();
            changes.forEach((name, value) -> {
                var s = settings.get(name.toLowerCase(Locale.ROOT));
                if (s == null) {
                    wrong.add(insId + ": " + name + " unknown");
                } else if (restart.contains(name)) {
                    if (!s.pendingRestart() && !FlushDecision.sameValue(value, s.setting(), s.unit(), s.vartype())) {
                        wrong.add(insId + ": " + name + " neither pending a restart nor " + value);
                    }
                } else if (!FlushDecision.sameValue(value, s.setting(), s.unit(), s.vartype())) {
                    wrong.add(insId + ": " + name + " is " + s.setting() + (s.unit() == null ? "" : " " + s.unit())
                            + ", not " + value);
                }
            });
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("the engines do not run with the flushed parameters: " + wrong);
        }
        resources.event(
                cluster,
                "Normal",
                "ParamsReloaded",
                "every instance runs with " + changes + (restart.isEmpty() ? "" : "; " + restart + " pending a restart")
                        + " (read back)");
    }
}
