package io.polarstack.orchestrator.delegates.removero;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.Requests;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_FinishRemoval: spec.followerNum comes down to the ROs left (never up, and set rather than decremented, so a
 * re-run does not lower it twice; otherwise AddRo would put the RO back), and the served removeIns annotation goes.
 */
@Component
public class FinishRemovalDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public FinishRemovalDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String insId = (String) execution.getVariable("insId");
        int ros = ClusterSteps.ros(cluster).size();
        Integer followers = cluster.getSpec().getFollowerNum();
        if (followers != null && followers > ros) {
            cluster = resources.updateSpec(
                    ClusterSteps.namespace(execution),
                    ClusterSteps.name(execution),
                    spec -> spec.setFollowerNum(
                            Math.min(spec.getFollowerNum() == null ? ros : spec.getFollowerNum(), ros)));
        }
        Requests.clear(resources, cluster, Annotations.REMOVE_INS, insId::equals);
        resources.event(
                cluster,
                "Normal",
                "RoRemoved",
                "RO " + insId + " removed; " + ros + " RO(s) left, spec.followerNum "
                        + cluster.getSpec().getFollowerNum());
    }
}
