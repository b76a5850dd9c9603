package io.polarstack.orchestrator.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.cli.ImageBuildCommand;
import io.polarstack.orchestrator.flows.ClusterFlows;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.service.ClusterStatusWriter;
import io.polarstack.orchestrator.testing.FlowHarness;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;

/**
 * The operator's resume by {@code interrupt.recover}: RebuildCluster (recoverFromFirstStep) starts again from its first
 * step, CreateCluster goes on at its failed step. The real operator and flows on an in-memory engine, the ports mocked.
 */
@Deployment(
        resources = {"processes/rebuild-cluster.bpmn", "processes/create-instance.bpmn", "processes/create-cluster.bpmn"
        })
class ClusterOperatorRecoveryTest extends FlowHarness {

    ClusterOperator operator;

    void operator() {
        var properties = new OrchestratorProperties(
                ImageBuildCommand.shippedRetryProfiles(),
                null,
                null,
                null,
                new OrchestratorProperties.Operator(true, null, null, null, "test", null, null, false, 0));
        var flows = new ClusterFlows(
                engine.getRuntimeService(), engine.getRepositoryService(), engine.getManagementService(), properties);
        operator = new ClusterOperator(resources, new ClusterStatusWriter(resources), flows, properties);
    }

    String flowId() {
        return resources.cluster.getStatus().getFlow() == null
                ? null
                : resources.cluster.getStatus().getFlow().getProcessInstanceId();
    }

    long ran(String processInstanceId, String activityId) {
        return engine.getHistoryService()
                .createHistoricActivityInstanceQuery()
                .processInstanceId(processInstanceId)
                .activityId(activityId)
                .count();
    }

    @Test
    void aRebuildResumedByInterruptRecoverStartsAgainFromItsFirstStep() {
        operator();
        operator.reconcile(resources.cluster); // CreateCluster
        assertThat(drive()).isZero();
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");

        annotate("forceRebuild", "true");
        fixed();
        when(manager.install(pod(RO2), any()))
                .thenThrow(new ManagerClient.ManagerException("TIMEOUT", "the agent did not answer", null));
        operator.reconcile(resources.cluster);
        String first = flowId();
        assertThat(engine.getRuntimeService().getVariable(first, ClusterFlows.RECOVER_FROM_FIRST_STEP))
                .isEqualTo(true);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Rebuild");
        drive();
        exhaust("Task_InstallInstance");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(resources.cluster.getMetadata().getAnnotations())
                .containsEntry("interrupt.previous.status", "Rebuild");
        verify(manager, times(1)).install(pod(RW), any());

        fixed(); // fixed
        annotate("interrupt.recover", "T");
        operator.reconcile(resources.cluster);
        assertThat(engine.getRuntimeService()
                        .createProcessInstanceQuery()
                        .processInstanceId(first)
                        .count())
                .as("the stopped rebuild")
                .isZero();
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Rebuild");
        assertThat(resources.cluster.getMetadata().getAnnotations())
                .doesNotContainKeys("interrupt.recover", "interrupt.previous.status");
        assertThat(resources.events)
                .anyMatch(e -> e.equals("Normal Resumed: RebuildCluster starts again from its first step"));

        operator.reconcile(resources.cluster); // the next look: state Rebuild, no flow: trigger row 1 again
        String second = flowId();
        assertThat(second).isNotNull().isNotEqualTo(first);
        assertThat(drive()).isZero();
        assertThat(engine.getRuntimeService()
                        .createProcessInstanceQuery()
                        .processInstanceId(second)
                        .count())
                .isZero();
        assertThat(ran(second, "Task_DisableHa")).as("the first step ran again").isEqualTo(1);
        assertThat(ran(second, "Task_RemoveInstancePods")).isEqualTo(1);
        verify(manager).stop(pod(RW), any(), org.mockito.ArgumentMatchers.anyInt());
        verify(manager).install(pod(RW), any()); // the RW, done before the incident, is rebuilt again
        verify(manager).install(pod(RO2), any());
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(resources.cluster.getMetadata().getAnnotations()).doesNotContainKey("forceRebuild");
    }

    @Test
    void anyOtherFlowResumedByInterruptRecoverGoesOnAtItsFailedStep() {
        operator();
        when(manager.install(pod(RO2), any()))
                .thenThrow(new ManagerClient.ManagerException("TIMEOUT", "the agent did not answer", null));
        operator.reconcile(resources.cluster);
        String create = flowId();
        drive();
        exhaust("Task_InstallInstance");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");

        fixed();
        annotate("interrupt.recover", "T");
        operator.reconcile(resources.cluster);
        assertThat(flowId()).isEqualTo(create);
        var job = engine.getManagementService()
                .createJobQuery()
                .activityId("Task_InstallInstance")
                .singleResult();
        assertThat(job.getRetries())
                .as("retries back, as the manager profile allows")
                .isEqualTo(3);
        engine.getManagementService().executeJob(job.getId()); // the job executor would run it when due
        assertThat(drive()).isZero();
        assertThat(engine.getRuntimeService()
                        .createProcessInstanceQuery()
                        .processInstanceId(create)
                        .count())
                .isZero();
        assertThat(ran(create, "Task_InitMeta")).isEqualTo(1);
        verify(manager, times(1)).install(any(), any()); // only the RO that failed
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    /**
     * What a flow deleted without its listeners (Cockpit's default) or lost with the engine database leaves: its state
     * and its process instance in the status, nothing in the engine. The operator makes it an interrupt that names the
     * flow, and interrupt.recover=T brings back Running.
     */
    @Test
    void aFlowGoneFromTheEngineBecomesAnInterruptThatRecoverClears() {
        operator();
        operator.reconcile(resources.cluster); // CreateCluster
        assertThat(drive()).isZero();
        var flow = new io.polarstack.orchestrator.api.FlowStatus();
        flow.setName("MigrateInstance");
        flow.setProcessInstanceId("lost-4711");
        flow.setStep("Task_CreateInstancePod");
        resources.cluster.getStatus().setClusterStatus("MigrateRo");
        resources.cluster.getStatus().setFlow(flow);

        operator.reconcile(resources.cluster);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(resources.cluster.getStatus().getFlow()).isNull();
        assertThat(resources.cluster.getMetadata().getAnnotations())
                .containsEntry("interrupt.recover", "F")
                .containsEntry("interrupt.reason", "FLOW_GONE")
                .containsEntry("interrupt.previous.status", "Running");
        assertThat(resources.cluster.getMetadata().getAnnotations().get("interrupt.message"))
                .contains("MigrateInstance", "lost-4711", "MigrateRo", "interrupt.recover=T");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Warning FlowGone: MigrateInstance"));
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().count())
                .as("nothing started on a guess")
                .isZero();

        annotate("interrupt.recover", "T");
        operator.reconcile(resources.cluster);
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
        assertThat(resources.cluster.getMetadata().getAnnotations()).doesNotContainKeys("interrupt.recover");
    }

    /**
     * The status that shows a flow is written in the flow's start transaction: when it cannot be written, no flow
     * started (and so none can run ahead of it, or be left unshown).
     */
    @Test
    void aFlowWhoseStartCannotBeShownDoesNotStart() {
        operator();
        failCall("updateStatus");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> operator.reconcile(resources.cluster))
                .hasMessageContaining("the API server did not answer");
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().count())
                .isZero();
        assertThat(engine.getManagementService().createJobQuery().count()).isZero();

        resources.onCall = call -> {};
        operator.reconcile(resources.cluster);
        assertThat(flowId()).isNotNull();
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Creating");
    }
}
