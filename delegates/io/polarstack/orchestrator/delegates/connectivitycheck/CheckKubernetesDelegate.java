package io.polarstack.orchestrator.delegates.connectivitycheck;

import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Task_CheckKubernetes: the API server answers; its version is recorded. */
@Component
public class CheckKubernetesDelegate implements JavaDelegate {

    private static final Logger LOG = LoggerFactory.getLogger(CheckKubernetesDelegate.class);

    private final ClusterResources clusterResources;

    public CheckKubernetesDelegate(ClusterResources clusterResources) {
        this.clusterResources = clusterResources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String version = clusterResources.serverVersion();
        LOG.info("Kubernetes API server answers, version {}", version);
        execution.setVariable("kubernetesVersion", version);
    }
}
