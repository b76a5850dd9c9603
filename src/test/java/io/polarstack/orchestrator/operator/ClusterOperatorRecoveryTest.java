package io.polarstack.orchestrator.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.test.Deployment;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.engine.ClusterStatusPlugin;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.testing.FaultyClusterResources;
import io.polarstack.orchestrator.testing.FlowBeans;
import io.polarstack.orchestrator.testing.Jobs;
import io.polarstack.orchestrator.testing.TestEngines;

/**
 * The operator's resume by {@code interrupt.recover}: RebuildCluster (recoverFromFirstStep) starts again from its first
 * step, CreateCluster goes on at its failed step. The real operator and flows on an in-memory engine, the ports mocked.
 */
@Deployment(resources = {"processes/rebuild-cluster.bpmn", "processes/create-instance.bpmn", "processes/create-cluster.bpmn"})
class ClusterOperatorRecoveryTest {

    static final String RW = "pg-local-1001-1002";
    static final String RO2 = "pg-local-1005-1006";

    static final Map<String, Object> beans = new HashMap<>();
    static final ManagerClient manager = mock(ManagerClient.class);
    static final StorageFabric storage = mock(StorageFabric.class);
    static FaultyClusterResources resources;

    static final ClusterStatusPlugin statusPlugin = new ClusterStatusPlugin((ClusterResources) java.lang.reflect.Proxy.newProxyInstance(
            ClusterOperatorRecoveryTest.class.getClassLoader(), new Class<?>[] {ClusterResources.class}, (proxy, method, args) -> {
                try {
                    return method.invoke(resources, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }));

    @RegisterExtension
    static ProcessEngineExtension extension = ProcessEngineExtension.builder()
            .useProcessEngine(TestEngines.inMemory("cluster-operator-recovery", beans, statusPlugin)).build();

    ProcessEngine engine;
    ClusterOperator operator;

    @BeforeEach
    void ports() {
        reset(manager, storage);
        resources = new FaultyClusterResources("mpdcluster-local.yaml");
        FlowBeans.healthy(manager, resources);
        beans.clear();
        beans.putAll(FlowBeans.all(resources, manager, storage));
    }

    void operator() {
        var properties = new OrchestratorProperties(TestEngines.configuredRetryProfiles(), null, null, null,
                new OrchestratorProperties.Operator(true, null, null, null, "test", null, null, false));
        var flows = new ClusterFlows(engine.getRuntimeService(), engine.getRepositoryService(), engine.getManagementService(), properties);
        operator = new ClusterOperator(resources, new ClusterStatusWriter(resources), flows, properties);
    }

    @AfterEach
    void clean() {
        engine.getRuntimeService().createProcessInstanceQuery().list()
                .forEach(p -> engine.getRuntimeService().deleteProcessInstance(p.getId(), "test over", true, true));
    }

    static ManagerClient.Target pod(String name) {
        return argThat(t -> t != null && name.equals(t.pod()));
    }

    String flowId() {
        return resources.cluster.getStatus().getFlow() == null ? null : resources.cluster.getStatus().getFlow().getProcessInstanceId();
    }

    void annotate(String key, String value) {
        resources.annotate("default", "pg-local", Map.of(key, value), Set.of());
    }

    long ran(String processInstanceId, String activityId) {
        return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(processInstanceId)
                .activityId(activityId).count();
    }

    @Test
    void aRebuildResumedByInterruptRecoverStartsAgainFromItsFirstStep() {
        operator();
        operator.reconcile(resources.cluster);  // CreateCluster
        assertThat(Jobs.drive(engine)).isZero();
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");

        annotate("forceRebuild", "true");
        reset(manager);
        FlowBeans.healthy(manager, resources);
        when(manager.install(pod(RO2), any())).thenThrow(new ManagerClient.ManagerException("TIMEOUT", "the agent did not answer", null));
        operator.reconcile(resources.cluster);
        String first = flowId();
        assertThat(engine.getRuntimeService().getVariable(first, ClusterFlows.RECOVER_FROM_FIRST_STEP)).isEqualTo(true);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Rebuild");
        Jobs.drive(engine);
        Jobs.exhaust(engine, "Task_InstallInstance");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(resources.cluster.getMetadata().getAnnotations()).containsEntry("interrupt.previous.status", "Rebuild");
        verify(manager, times(1)).install(pod(RW), any());

        reset(manager);
        FlowBeans.healthy(manager, resources);  // fixed
        annotate("interrupt.recover", "T");
        operator.reconcile(resources.cluster);
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(first).count()).as("the stopped rebuild")
                .isZero();
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Rebuild");
        assertThat(resources.cluster.getMetadata().getAnnotations()).doesNotContainKeys("interrupt.recover", "interrupt.previous.status");
        assertThat(resources.events).anyMatch(e -> e.equals("Normal Resumed: RebuildCluster starts again from its first step"));

        operator.reconcile(resources.cluster);  // the next look: state Rebuild, no flow: trigger row 1 again
        String second = flowId();
        assertThat(second).isNotNull().isNotEqualTo(first);
        assertThat(Jobs.drive(engine)).isZero();
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(second).count()).isZero();
        assertThat(ran(second, "Task_DisableHa")).as("the first step ran again").isEqualTo(1);
        assertThat(ran(second, "Task_RemoveInstancePods")).isEqualTo(1);
        verify(manager).stop(pod(RW), any(), org.mockito.ArgumentMatchers.anyInt());
        verify(manager).install(pod(RW), any());  // the RW, done before the incident, is rebuilt again
        verify(manager).install(pod(RO2), any());
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(resources.cluster.getMetadata().getAnnotations()).doesNotContainKey("forceRebuild");
    }

    @Test
    void anyOtherFlowResumedByInterruptRecoverGoesOnAtItsFailedStep() {
        operator();
        when(manager.install(pod(RO2), any())).thenThrow(new ManagerClient.ManagerException("TIMEOUT", "the agent did not answer", null));
        operator.reconcile(resources.cluster);
        String create = flowId();
        Jobs.drive(engine);
        Jobs.exhaust(engine, "Task_InstallInstance");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");

        reset(manager);
        FlowBeans.healthy(manager, resources);
        annotate("interrupt.recover", "T");
        operator.reconcile(resources.cluster);
        assertThat(flowId()).isEqualTo(create);
        var job = engine.getManagementService().createJobQuery().activityId("Task_InstallInstance").singleResult();
        assertThat(job.getRetries()).as("retries back, as the manager profile allows").isEqualTo(3);
        engine.getManagementService().executeJob(job.getId());  // the job executor would run it when due
        assertThat(Jobs.drive(engine)).isZero();
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(create).count()).isZero();
        assertThat(ran(create, "Task_InitMeta")).isEqualTo(1);
        verify(manager, times(1)).install(any(), any());  // only the RO that failed
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }
}
