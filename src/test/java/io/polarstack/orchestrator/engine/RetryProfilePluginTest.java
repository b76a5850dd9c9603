package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.testing.TestEngines;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RetryProfilePluginTest {

    static ProcessEngine engine;

    @BeforeAll
    static void start() {
        JavaDelegate failing = execution -> {
            throw new IllegalStateException("boom");
        };
        engine = TestEngines.inMemory("retry-profile-test", Map.of("failingDelegate", failing));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static BpmnModelInstance model(String key, String profile) {
        BpmnModelInstance model = Bpmn.createExecutableProcess(key)
                .camundaHistoryTimeToLive(1)
                .startEvent()
                .serviceTask("Task_Fail")
                .camundaAsyncBefore()
                .camundaDelegateExpression("${failingDelegate}")
                .endEvent()
                .done();
        ServiceTask task = model.getModelElementById("Task_Fail");
        CamundaProperty property = model.newInstance(CamundaProperty.class);
        property.setCamundaName(RetryProfilePlugin.PROPERTY);
        property.setCamundaValue(profile);
        CamundaProperties properties = model.newInstance(CamundaProperties.class);
        properties.addChildElement(property);
        task.builder().addExtensionElement(properties);
        return model;
    }

    @Test
    void profileSetsTheNumberOfAttempts() {
        engine.getRepositoryService()
                .createDeployment()
                .addModelInstance("p.bpmn", model("Docker", "docker"))
                .deploy();
        engine.getRuntimeService().startProcessInstanceByKey("Docker");
        var management = engine.getManagementService();
        var job = management.createJobQuery().processDefinitionKey("Docker").singleResult();
        assertThat(job.getRetries())
                .isEqualTo(3); // docker: R3/PT15S; before the first attempt the default would be 3 as well
        assertThatThrownBy(() -> management.executeJob(job.getId())).hasMessageContaining("boom");
        var afterFirst =
                management.createJobQuery().processDefinitionKey("Docker").singleResult();
        assertThat(afterFirst.getRetries()).isEqualTo(2);
        // The cycle's interval, not the engine default of 5 minutes, sets the next due date.
        assertThat(afterFirst.getDuedate().getTime() - System.currentTimeMillis())
                .isBetween(10_000L, 16_000L);
    }

    @Test
    void profileNoneMeansOneAttempt() {
        engine.getRepositoryService()
                .createDeployment()
                .addModelInstance("p.bpmn", model("Once", "none"))
                .deploy();
        engine.getRuntimeService().startProcessInstanceByKey("Once");
        var management = engine.getManagementService();
        var job = management.createJobQuery().processDefinitionKey("Once").singleResult();
        assertThatThrownBy(() -> management.executeJob(job.getId()));
        assertThat(management
                        .createJobQuery()
                        .processDefinitionKey("Once")
                        .singleResult()
                        .getRetries())
                .isZero();
        assertThat(engine.getRuntimeService()
                        .createIncidentQuery()
                        .processDefinitionKeyIn("Once")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void unknownProfileFailsTheDeploymentNamingTaskAndProfile() {
        var deployment = engine.getRepositoryService()
                .createDeployment()
                .addModelInstance("bad.bpmn", model("Bad", "sometimes"));
        assertThatThrownBy(deployment::deploy)
                .hasMessageContaining("Task_Fail")
                .hasMessageContaining("'sometimes'")
                .hasMessageContaining("k8s");
        assertThat(engine.getRepositoryService()
                        .createProcessDefinitionQuery()
                        .processDefinitionKey("Bad")
                        .count())
                .isZero();
    }

    @Test
    void malformedCycleIsRejectedAtStartup() {
        assertThatThrownBy(() -> new RetryProfilePlugin(Map.of("ssh", "five times")))
                .hasMessageContaining("orchestrator.retry-profiles.ssh")
                .hasMessageContaining("five times");
    }
}
