package io.polarstack.orchestrator.delegates.restart;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_ResumeInstanceHa: the HA monitor watches the instance again ({@code haPausedIns} removed); a served
 * {@code restartIns} request is removed too when this flow was started by it. Removes only what names this instance.
 */
@Component
public class ResumeInstanceHaDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public ResumeInstanceHaDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = RestartSteps.insId(execution);
        Map<String, String> annotations =
                Objects.requireNonNullElse(cluster.getMetadata().getAnnotations(), Map.of());
        Set<String> remove = new HashSet<>();
        if (insId.equals(annotations.get(Annotations.HA_PAUSED_INS))) {
            remove.add(Annotations.HA_PAUSED_INS);
        }
        if (RestartSteps.topLevel(execution) && annotations.containsKey(Annotations.RESTART_INS)) {
            remove.add(Annotations.RESTART_INS); // served; left there it would start the restart again
        }
        var updated = remove.isEmpty()
                ? cluster
                : resources.annotate(ClusterSteps.namespace(execution), ClusterSteps.name(execution), Map.of(), remove);
        resources.event(updated, "Normal", "InstanceRestarted", "instance " + insId + " restarted and serves again");
    }
}
