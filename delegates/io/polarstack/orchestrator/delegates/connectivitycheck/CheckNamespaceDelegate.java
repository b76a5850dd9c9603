package io.polarstack.orchestrator.delegates.connectivitycheck;

import io.polarstack.orchestrator.ports.ClusterResources;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Task_CheckNamespace: the namespace named by variable {@code namespace} (default {@code default}) exists. */
@Component
public class CheckNamespaceDelegate implements JavaDelegate {

    static final String ERROR_INVALID_NAMESPACE = "Error_InvalidNamespace";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Logger LOG = LoggerFactory.getLogger(CheckNamespaceDelegate.class);

    private final ClusterResources clusterResources;

    public CheckNamespaceDelegate(ClusterResources clusterResources) {
        this.clusterResources = clusterResources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Object value = execution.getVariable("namespace");
        String namespace = value == null ? "default" : value.toString();
        if (!DNS_LABEL.matcher(namespace).matches()) {
            throw new BpmnError(
                    ERROR_INVALID_NAMESPACE,
                    "namespace '" + namespace
                            + "' is not a valid Kubernetes name (lower-case letters, digits and '-', at most 63)");
        }
        if (!clusterResources.namespaceExists(namespace)) {
            throw new IllegalStateException("namespace '" + namespace + "' does not exist; create it with"
                    + " 'kubectl create namespace " + namespace + "', then retry this step");
        }
        LOG.info("namespace {} exists", namespace);
    }
}
