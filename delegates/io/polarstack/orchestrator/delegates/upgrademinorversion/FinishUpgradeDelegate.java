package io.polarstack.orchestrator.delegates.upgrademinorversion;

import io.polarstack.orchestrator.api.VersionConfig;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_FinishUpgrade: spec.versionCfg names the new version, and versionCfgModifyTo is cleared when it still asks for
 * it (a request changed meanwhile stays for the next flow). Sets, never toggles.
 */
@Component
public class FinishUpgradeDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public FinishUpgradeDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String versionName = (String) execution.getVariable("versionName");
        var updated = resources.updateSpec(ClusterSteps.namespace(execution), ClusterSteps.name(execution), spec -> {
            if (spec.getVersionCfg() == null) {
                spec.setVersionCfg(new VersionConfig());
            }
            spec.getVersionCfg().setVersionName(versionName);
            var to = spec.getVersionCfgModifyTo();
            if (to != null
                    && (to.getVersionName() == null
                            || versionName.equals(to.getVersionName().trim()))) {
                spec.setVersionCfgModifyTo(null);
            }
        });
        var rw = ClusterSteps.rw(updated);
        resources.event(
                updated,
                "Normal",
                "MinorVersionUpgraded",
                "every instance runs version " + versionName + "; RW " + rw.getInsId() + ", ROs "
                        + ClusterSteps.ros(updated).stream()
                                .map(i -> i.getInsId())
                                .toList());
    }
}
