package io.polarstack.orchestrator.delegates.migrateinstance;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.NewInstances;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.function.Predicate;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_FinishMigration: the served {@code migrate} annotation goes; an event names the new instance and its node. */
@Component
public class FinishMigrationDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public FinishMigrationDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = (String) execution.getVariable("insId");
        String targetNode = (String) execution.getVariable("targetNode");
        Requests.clear(resources, cluster, Annotations.MIGRATE, asksFor(insId, targetNode));
        String newId = (String) execution.getVariable(NewInstances.NEW_INS_ID);
        var instance = ClusterSteps.instance(cluster, newId);
        resources.event(
                cluster,
                "Normal",
                "InstanceMigrated",
                insId + " moved to " + instance.getNodeName() + " as " + instance.getInsType() + " " + newId);
    }

    /** The annotation {@code migrate=<insId>|<node>} asks for this migration. */
    static Predicate<String> asksFor(String insId, String targetNode) {
        return value -> value.replace(" ", "").equals(insId + "|" + targetNode);
    }
}
