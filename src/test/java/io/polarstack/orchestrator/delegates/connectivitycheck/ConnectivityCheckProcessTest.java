package io.polarstack.orchestrator.delegates.connectivitycheck;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.job;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.managementService;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.runtimeService;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.when;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.util.Map;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@Deployment(resources = "processes/connectivity-check.bpmn")
class ConnectivityCheckProcessTest extends FlowHarness {

    @BeforeEach
    void ports() {
        resources = spy(resources);
        when(resources.serverVersion()).thenReturn("v1.20.2");
    }

    @Test
    void happyPath() {
        when(resources.namespaceExists("db")).thenReturn(true);
        var instance =
                runtimeService().startProcessInstanceByKey("ConnectivityCheck", "db/pg1", Map.of("namespace", "db"));
        assertThat(instance).isWaitingAt("Task_CheckKubernetes");
        execute(job(instance));
        assertThat(instance)
                .isWaitingAt("Task_CheckNamespace")
                .variables()
                .containsEntry("kubernetesVersion", "v1.20.2");
        execute(job(instance));
        assertThat(instance).isEnded().hasPassed("EndEvent_Connected");
    }

    @Test
    void retriesExhaustedLeaveAnIncidentAndARetryAfterTheFixCompletes() {
        when(resources.namespaceExists("db")).thenReturn(false);
        var instance =
                runtimeService().startProcessInstanceByKey("ConnectivityCheck", "db/pg1", Map.of("namespace", "db"));
        execute(job(instance));
        for (int attempt = 1; attempt <= 5; attempt++) { // k8s profile: R5
            var step = job(instance);
            assertThatThrownBy(() -> execute(step)).hasMessageContaining("namespace 'db' does not exist");
        }
        assertThat(instance).isWaitingAt("Task_CheckNamespace");
        assertThat(job(instance)).hasRetries(0);
        var incident = runtimeService()
                .createIncidentQuery()
                .processInstanceId(instance.getId())
                .singleResult();
        org.assertj.core.api.Assertions.assertThat(incident.getActivityId()).isEqualTo("Task_CheckNamespace");
        org.assertj.core.api.Assertions.assertThat(incident.getIncidentMessage())
                .contains("kubectl create namespace db");

        when(resources.namespaceExists("db")).thenReturn(true); // the operator creates the namespace
        managementService().setJobRetries(job(instance).getId(), 1);
        execute(job(instance));
        assertThat(instance).isEnded().hasPassed("EndEvent_Connected");
    }

    @Test
    void kubernetesUnreachableStopsAtTheFirstStep() {
        when(resources.serverVersion()).thenThrow(new IllegalStateException("connection refused"));
        var instance = runtimeService().startProcessInstanceByKey("ConnectivityCheck", "db/pg1");
        for (int attempt = 1; attempt <= 5; attempt++) {
            var step = job(instance);
            assertThatThrownBy(() -> execute(step)).hasMessageContaining("connection refused");
        }
        assertThat(instance).isWaitingAt("Task_CheckKubernetes");
        org.assertj.core.api.Assertions.assertThat(runtimeService()
                        .createIncidentQuery()
                        .processInstanceId(instance.getId())
                        .singleResult()
                        .getActivityId())
                .isEqualTo("Task_CheckKubernetes");
    }

    @Test
    void invalidNamespaceEndsOnTheErrorPathWithoutTouchingKubernetesForIt() {
        var instance = runtimeService()
                .startProcessInstanceByKey("ConnectivityCheck", "db/pg1", Map.of("namespace", "Bad;Name"));
        execute(job(instance));
        execute(job(instance));
        assertThat(instance).isEnded().hasPassed("EndEvent_InvalidNamespace").hasNotPassed("EndEvent_Connected");
        org.mockito.Mockito.verify(resources, org.mockito.Mockito.never())
                .namespaceExists(org.mockito.ArgumentMatchers.any());
    }

    @Test
    void stepLogLinesCarryClusterAndStep() {
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        var logger = (Logger) LoggerFactory.getLogger(CheckKubernetesDelegate.class);
        logger.addAppender(appender);
        try {
            var instance = runtimeService().startProcessInstanceByKey("ConnectivityCheck", "db/pg1");
            execute(job(instance));
        } finally {
            logger.detachAppender(appender);
        }
        var mdc = appender.list.get(0).getMDCPropertyMap();
        org.assertj.core.api.Assertions.assertThat(mdc)
                .containsEntry("businessKey", "db/pg1")
                .containsEntry("step", "Task_CheckKubernetes");
    }
}
