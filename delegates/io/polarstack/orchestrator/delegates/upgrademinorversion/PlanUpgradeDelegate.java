package io.polarstack.orchestrator.delegates.upgrademinorversion;

import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.delegates.common.RollingReplace;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterCatalog;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_PlanUpgrade: the version {@code versionName} must be in the catalog (an incident names its ConfigMap before
 * anything changes); then the order of the replacements. Reads only, so a re-run is safe.
 */
@Component
public class PlanUpgradeDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ClusterCatalog catalog;

    public PlanUpgradeDelegate(ClusterResources resources, ClusterCatalog catalog) {
        this.resources = resources;
        this.catalog = catalog;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        String versionName = (String) execution.getVariable("versionName");
        if (versionName == null || versionName.isBlank()) {
            throw new IllegalArgumentException(
                    "UpgradeMinorVersion needs versionName (spec.versionCfgModifyTo.versionName)");
        }
        var images = catalog.images(cluster, versionName);
        String plan = RollingReplace.plan(execution, resources, cluster, FlowKeys.UPGRADE_MINOR_VERSION);
        resources.event(
                cluster,
                "Normal",
                "UpgradePlanned",
                "to version " + versionName + " (engine " + images.engine() + "): " + plan);
    }
}
