package io.polarstack.orchestrator.delegates.createcluster;

import io.polarstack.orchestrator.api.Account;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.specs.AccountSecrets;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** Task_CreateAccounts: the aurora and replicator accounts on the RW, from their Secrets (create or alter: safe twice). */
@Component
public class CreateAccountsDelegate implements JavaDelegate {

    private final ClusterResources resources;
    private final ManagerClient manager;

    public CreateAccountsDelegate(ClusterResources resources, ManagerClient manager) {
        this.resources = resources;
        this.manager = manager;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var cluster = ClusterSteps.cluster(resources, execution);
        var target = ClusterSteps.target(cluster, ClusterSteps.rw(cluster));
        String logicId = cluster.getStatus().getLogicId();
        for (var account : AccountSecrets.Account.values()) {
            String secret = AccountSecrets.name(cluster, logicId, account);
            Account data = resources
                    .secretData(cluster.getMetadata().getNamespace(), secret)
                    .flatMap(Account::of)
                    .orElseThrow(
                            () -> new IllegalStateException(
                                    "Secret " + cluster.getMetadata().getNamespace() + "/" + secret
                                            + " is gone; it is made by Task_InitMeta: delete the cluster or restore the Secret, then retry"));
            manager.createAccount(target, data.user(), data.password(), data.privilege());
        }
    }
}
