package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.api.FlowKeys;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard on an in-memory engine: a second start of a cluster's flow is refused while one is active, whatever way
 * the first one ends (end event, error end event, cancel, a Cockpit delete that skips custom listeners), its called
 * flows with the same business key are not, and neither are flows that are no cluster flows.
 */
class ClusterFlowGuardPluginTest {

    static final String URL = "jdbc:h2:mem:cluster-flow-guard;DB_CLOSE_DELAY=-1";
    static final String CLUSTER = "ns/c1";

    final List<ProcessEngine> engines = new ArrayList<>();
    ProcessEngine engine;
    RuntimeService runtime;

    ProcessEngine engine(String name) {
        var configuration = (ProcessEngineConfigurationImpl)
                ProcessEngineConfiguration.createStandaloneProcessEngineConfiguration();
        configuration.setProcessEngineName(name);
        configuration.setJdbcUrl(URL);
        configuration.setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_TRUE);
        configuration.setJobExecutorActivate(false);
        configuration.getProcessEnginePlugins().add(new ClusterFlowGuardPlugin());
        ProcessEngine built = configuration.buildProcessEngine();
        engines.add(built);
        return built;
    }

    @BeforeEach
    void deploy() {
        engine = engine("guard-1");
        runtime = engine.getRuntimeService();
        engine.getRepositoryService()
                .createDeployment()
                .addModelInstance("wait.bpmn", waiting("Wait"))
                .addModelInstance("other.bpmn", waiting("Other"))
                .addModelInstance("caller.bpmn", caller())
                .addModelInstance("fails.bpmn", failing())
                .deploy();
    }

    @AfterEach
    void drop() throws SQLException {
        engines.forEach(ProcessEngine::close);
        try (var connection = DriverManager.getConnection(URL, "sa", "");
                var statement = connection.createStatement()) {
            statement.execute("DROP ALL OBJECTS");
        }
    }

    static BpmnModelInstance waiting(String key) {
        return Bpmn.createExecutableProcess(key)
                .camundaHistoryTimeToLive(1)
                .startEvent()
                .userTask("Task_Wait")
                .endEvent()
                .done();
    }

    /** Calls Wait with its own business key, as CreateCluster calls CreateInstance. */
    static BpmnModelInstance caller() {
        return Bpmn.createExecutableProcess("Caller")
                .camundaHistoryTimeToLive(1)
                .startEvent()
                .callActivity("Task_Call")
                .calledElement("Wait")
                .camundaInBusinessKey("#{execution.processBusinessKey}")
                .camundaIn(FlowKeys.NAMESPACE, FlowKeys.NAMESPACE)
                .camundaIn(FlowKeys.NAME, FlowKeys.NAME)
                .userTask("Task_After")
                .endEvent()
                .done();
    }

    static BpmnModelInstance failing() {
        return Bpmn.createExecutableProcess("Fails")
                .camundaHistoryTimeToLive(1)
                .startEvent()
                .userTask("Task_Wait")
                .endEvent("EndEvent_Failed")
                .error("Error_Failed", "failed")
                .done();
    }

    String start(String key) {
        return start(key, CLUSTER);
    }

    String start(String key, String businessKey) {
        return runtime.startProcessInstanceByKey(
                        key, businessKey, Map.of(FlowKeys.NAMESPACE, "ns", FlowKeys.NAME, "c1"))
                .getId();
    }

    void completeTask(String processInstanceId) {
        var task = engine.getTaskService()
                .createTaskQuery()
                .processInstanceId(processInstanceId)
                .singleResult();
        engine.getTaskService().complete(task.getId());
    }

    void assertFree() {
        String next = start("Other");
        runtime.deleteProcessInstance(next, "test");
    }

    @Test
    void aSecondStartIsRefusedNamingTheRunningFlowAndWorksOnceItEnded() {
        String first = start("Wait");
        assertThatThrownBy(() -> start("Other"))
                .isInstanceOf(ClusterBusyException.class)
                .hasMessageContaining("cluster ns/c1 is busy with Wait (process instance " + first + ")");
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey(CLUSTER)
                        .count())
                .as("the refused start left nothing")
                .isEqualTo(1);
        String otherCluster = runtime.startProcessInstanceByKey(
                        "Wait", "ns/c2", Map.of(FlowKeys.NAMESPACE, "ns", FlowKeys.NAME, "c2"))
                .getId();
        runtime.deleteProcessInstance(otherCluster, "test");

        completeTask(first);
        assertFree();
    }

    @Test
    void aCalledFlowWithTheSameBusinessKeyRunsUnderItsCaller() {
        String caller = start("Caller");
        var called = runtime.createProcessInstanceQuery()
                .superProcessInstanceId(caller)
                .singleResult();
        assertThat(called.getBusinessKey()).isEqualTo(CLUSTER);
        completeTask(called.getId());
        assertThatThrownBy(() -> start("Other"))
                .as("the caller still runs")
                .isInstanceOf(ClusterBusyException.class)
                .hasMessageContaining("Caller");
        completeTask(caller);
        assertFree();
    }

    @Test
    void anErrorEndEventFreesTheCluster() {
        String failing = start("Fails");
        completeTask(failing);
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceId(failing)
                        .count())
                .isZero();
        assertFree();
    }

    @Test
    void aDeleteThatSkipsCustomListenersFreesTheCluster() {
        // Cockpit's delete offers "skip custom listeners"; the guard's listeners are built in.
        String caller = start("Caller");
        runtime.deleteProcessInstance(caller, "deleted in Cockpit", true, true);
        assertFree();
    }

    @Test
    void aStartAtAnActivityIsGuardedToo() {
        start("Wait");
        assertThatThrownBy(() -> runtime.createProcessInstanceByKey("Other")
                        .businessKey(CLUSTER)
                        .setVariables(Map.of(FlowKeys.NAMESPACE, "ns", FlowKeys.NAME, "c1"))
                        .startBeforeActivity("Task_Wait")
                        .execute())
                .isInstanceOf(ClusterBusyException.class);
    }

    @Test
    void aClusterFlowMustCarryItsClusterAsBusinessKey() {
        assertThatThrownBy(() -> start("Wait", "something-else"))
                .isInstanceOf(BadUserRequestException.class)
                .hasMessageContaining("must be started with business key ns/c1");
        assertThatThrownBy(() -> start("Wait", null)).isInstanceOf(BadUserRequestException.class);
    }

    @Test
    void flowsWithoutAClusterAreNotGuarded() {
        runtime.startProcessInstanceByKey("Wait", "image.yml");
        runtime.startProcessInstanceByKey("Wait", "image.yml");
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey("image.yml")
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aRowWhoseInstanceIsGoneIsTakenOver() throws SQLException {
        try (var connection = DriverManager.getConnection(URL, "sa", "");
                var statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO " + ClusterFlowGuardPlugin.TABLE
                    + " (CLUSTER_, PROC_INST_ID_, PROC_DEF_KEY_) VALUES ('ns/c1', 'gone', 'Wait')");
        }
        assertFree();
    }

    @Test
    void aFlowThatRanBeforeTheGuardHoldsItsClusterAfterARestart() throws SQLException {
        String first = start("Wait");
        try (var connection = DriverManager.getConnection(URL, "sa", "");
                var statement = connection.createStatement()) {
            assertThat(statement.executeUpdate("DELETE FROM " + ClusterFlowGuardPlugin.TABLE))
                    .isEqualTo(1);
        }
        engine.close();
        engine = engine("guard-2");
        runtime = engine.getRuntimeService();
        assertThatThrownBy(() -> start("Other"))
                .isInstanceOf(ClusterBusyException.class)
                .hasMessageContaining(first);
    }
}
