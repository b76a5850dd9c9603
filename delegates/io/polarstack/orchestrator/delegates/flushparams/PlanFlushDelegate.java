package io.polarstack.orchestrator.delegates.flushparams;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.FlushDecision;
import io.polarstack.orchestrator.service.InstanceProbe;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_PlanFlush: which values win ({@link FlushDecision}), then each changed name on the flavour's allow list and
 * classified by the RW's own {@code pg_settings.context}. A name off the allow list, unknown to the engine or not
 * settable at all ends the flow with Error_ParamsRefused, naming them all, before anything is written. Reads only.
 */
@Component
public class PlanFlushDelegate implements JavaDelegate {

    static final String PARAMS_REFUSED = "PARAMS_REFUSED";

    private final ClusterResources resources;
    private final InstanceProbe probe;
    private final io.polarstack.orchestrator.service.FlushTemplate template;
    private final java.time.Duration timeout;

    public PlanFlushDelegate(
            ClusterResources resources,
            InstanceProbe probe,
            io.polarstack.orchestrator.service.FlushTemplate template,
            OrchestratorProperties properties) {
        this.resources = resources;
        this.probe = probe;
        this.template = template;
        this.timeout = properties.ha().probeTimeout().multipliedBy(5);
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String ns = cluster.getMetadata().getNamespace();
        String userName = ParamsConfigMaps.userParamsName(cluster);
        String runningName = ParamsConfigMaps.runningParamsName(cluster);
        var userData = resources
                .configMapData(ns, userName)
                .orElseThrow(() -> new IllegalStateException("ConfigMap " + ns + "/" + userName
                        + " is gone; CreateCluster writes it, restore it from " + runningName + ", then retry"));
        var runningData = resources.configMapData(ns, runningName).orElse(Map.of());
        String latest =
                resources.configMapAnnotations(ns, userName).orElse(Map.of()).get(Flush.LATEST_FLUSH_TIME);
        var plan = FlushDecision.plan(
                entries(userName, userData),
                entries(runningName, runningData),
                latest == null || latest.isBlank() ? null : Instant.parse(latest),
                template.of(cluster));
        var rw = ClusterSteps.rw(cluster);
        List<String> insIds = Stream.concat(Stream.of(rw), ClusterSteps.ros(cluster).stream())
                .map(InstanceStatus::getInsId)
                .toList();
        execution.setVariable(Flush.INS_IDS, IdList.join(insIds));
        execution.setVariable(Flush.CHANGES, Flush.json(plan.changes()));
        execution.setVariable(Flush.FORCED_BACK, Flush.json(plan.forcedBack()));
        execution.setVariable(Flush.NO_OP, plan.noOp());
        execution.setVariable(Flush.RESTART_NEEDED, false);
        if (plan.changes().isEmpty()) {
            return;
        }
        String flavour = ClusterSteps.flavour(cluster).name().toLowerCase(Locale.ROOT);
        String source = "ConfigMap " + ns + "/" + userName;
        List<String> refused =
                new ArrayList<>(ParamsConfigMaps.refused(flavour, plan.changes().keySet()));
        if (!refused.isEmpty()) {
            refuse(refused, flavour, source, " (not on the allow list)");
        }
        var settings =
                probe.settings(cluster, rw, plan.changes().keySet(), timeout).settings();
        List<String> reload = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        for (String name : plan.changes().keySet()) {
            var setting = settings.get(name.toLowerCase(Locale.ROOT));
            switch (FlushDecision.effect(setting == null ? null : setting.context())) {
                case RELOAD -> reload.add(name);
                case RESTART -> restart.add(name);
                case REFUSED -> refused.add(name);
            }
        }
        if (!refused.isEmpty()) {
            refuse(refused, flavour, source, " (the engine has no such setting, or it cannot be set)");
        }
        execution.setVariable(Flush.RELOAD_PARAMS, String.join(",", reload));
        execution.setVariable(Flush.RESTART_PARAMS, String.join(",", restart));
        execution.setVariable(Flush.RESTART_NEEDED, !restart.isEmpty());
        resources.event(
                cluster,
                "Normal",
                "FlushPlanned",
                "parameters " + plan.changes() + ": by reload " + reload + ", needing a restart " + restart
                        + (plan.forcedBack().isEmpty() ? "" : "; forced back to the template " + plan.forcedBack())
                        + (plan.ignored().isEmpty() ? "" : "; ignored " + plan.ignored()));
    }

    private static void refuse(List<String> refused, String flavour, String source, String why) {
        throw new BpmnError(
                PARAMS_REFUSED,
                PARAMS_REFUSED + ": "
                        + ParamsConfigMaps.refusal(
                                flavour, List.copyOf(new java.util.TreeSet<>(refused)), source + why));
    }

    static Map<String, FlushDecision.Entry> entries(String configMap, Map<String, String> data) {
        var values = ParamsConfigMaps.values(configMap, data);
        var times = ParamsConfigMaps.updateTimes(configMap, data);
        Map<String, FlushDecision.Entry> entries = new TreeMap<>();
        values.forEach((name, value) -> entries.put(name, new FlushDecision.Entry(value, times.get(name))));
        return entries;
    }
}
