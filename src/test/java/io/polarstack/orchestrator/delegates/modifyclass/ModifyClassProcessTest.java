package io.polarstack.orchestrator.delegates.modifyclass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.Pod;
import io.polarstack.orchestrator.api.ClassInfo;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.specs.InstancePods;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ModifyClass on an in-memory engine with the flows it calls, the ports mocked, on a cluster CreateCluster made first
 * in class polar.o.x4.medium (max_connections 800): RW 1002 (slot 1001), ROs 1004 and 1006. Up to polar.o.x8.large
 * (1600) or down to polar.o.x2.small (400); the replacements get 1007, 1008 (the ROs) and 1009 (the RW).
 */
@Deployment(
        resources = {
            "processes/modify-class.bpmn",
            "processes/replace-instance.bpmn",
            "processes/remove-instance.bpmn",
            "processes/create-instance.bpmn",
            "processes/failover.bpmn",
            "processes/create-cluster.bpmn"
        })
class ModifyClassProcessTest extends FlowHarness {

    static final String UP = "polar.o.x8.large";
    static final String DOWN = "polar.o.x2.small";

    /** "pod max_connections" as each install was asked for. */
    final List<String> installed = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void ports() {
        catalogClass(UP, "4", "17179869184", "1600", "4GB");
        catalogClass(DOWN, "1", "4294967296", "400", "1GB");
        recordInstalls();
    }

    /** On top of {@link #healthy()}: the class's limits take effect, and each install's max_connections is kept. */
    void recordInstalls() {
        when(manager.updateParams(any(), any()))
                .thenReturn(new ManagerClient.ParamsResult(true, List.of("max_connections")));
        when(manager.install(any(), any())).thenAnswer(a -> {
            ManagerClient.Target target = a.getArgument(0);
            ManagerClient.InstallSpec spec = a.getArgument(1);
            if (target != null && spec != null) { // null while a test stubs over it
                installed.add(target.pod() + " " + spec.params().get("max_connections"));
            }
            return new ManagerClient.InstallResult(false, false, null, false);
        });
    }

    static void catalogClass(String name, String cpu, String memory, String maxConnections, String sharedBuffers) {
        String key = "ConfigMap:kube-system/postgresql-1-0-level-" + name.replace('.', '-');
        resources.configMaps.put(
                key + "-resource-rwo", Map.of("cpu_cores", cpu, "mem_limit", memory, "max_conn", maxConnections));
        resources.configMaps.put(
                key + "-config-rwo", Map.of("max_connections", maxConnections, "shared_buffers", sharedBuffers));
    }

    /** CreateCluster, then the class change asked for in the spec, as the operator starts it. */
    ProcessInstance modifyClass(String className) {
        runningCluster();
        recordInstalls();
        afterCreate.forEach(Runnable::run);
        installed.clear();
        var to = new ClassInfo();
        to.setClassName(className);
        to.setCpu("x");
        resources.cluster.getSpec().setClassInfoModifyTo(to);
        return start("ModifyClass", Map.of("className", className));
    }

    Map<String, String> params(String which) {
        String name = "pg-local-" + which + "-params";
        return ParamsConfigMaps.values(
                name, resources.configMapData("default", name).orElseThrow());
    }

    String cpuLimit(String podName) {
        var pod = (Pod) resources.applied.get("Pod:default/" + podName);
        assertThat(pod).as("pod " + podName).isNotNull();
        return pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(InstancePods.ENGINE))
                .findFirst()
                .orElseThrow()
                .getResources()
                .getLimits()
                .get("cpu")
                .toString();
    }

    void assertModified(String className, String cpu, String maxConnections) {
        var status = resources.cluster.getStatus();
        assertThat(status.getDbInstanceStatus()).containsOnlyKeys("1007", "1008", "1009");
        assertThat(status.getLeaderInstanceId()).isEqualTo("1009");
        for (String pod : new String[] {"pg-local-1003-1007", "pg-local-1005-1008", "pg-local-1001-1009"}) {
            assertThat(cpuLimit(pod)).isEqualTo(cpu);
        }
        assertThat(installed)
                .containsExactly(
                        "pg-local-1003-1007 " + maxConnections,
                        "pg-local-1005-1008 " + maxConnections,
                        "pg-local-1001-1009 " + maxConnections);
        assertThat(params("running")).containsEntry("max_connections", maxConnections);
        assertThat(params("user")).containsEntry("max_connections", maxConnections);
        assertThat(resources.cluster.getSpec().getClassInfo().getClassName()).isEqualTo(className);
        assertThat(resources.cluster.getSpec().getClassInfo().getCpu())
                .as("classInfoModifyTo as written")
                .isEqualTo("x");
        assertThat(resources.cluster.getSpec().getClassInfoModifyTo()).isNull();
        assertThat(status.getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void upTheRosGetTheHigherLimitFirstAndNoEngineRestarts() {
        var change = modifyClass(UP);
        finish(change);
        assertModified(UP, "4", "1600");
        // every replica starts with 1600 while the RW still runs 800 (allowed: a replica may have more); the RW gets
        // 1600 only by the switchover to its replacement, when no 800 replica is left
        verify(manager, never()).updateParams(any(), any());
        verify(manager, never()).restart(any());
        var order = inOrder(manager);
        order.verify(manager).install(pod("pg-local-1003-1007"), any());
        order.verify(manager).install(pod("pg-local-1005-1008"), any());
        order.verify(manager).stop(pod("pg-local-1005-1006"), any(), org.mockito.ArgumentMatchers.anyInt());
        order.verify(manager).install(pod("pg-local-1001-1009"), any());
        order.verify(manager).promote(pod("pg-local-1001-1009"));
    }

    @Test
    void downTheRwGetsTheLowerLimitFirstWithARestartThenTheNewInstances() {
        var change = modifyClass(DOWN);
        finish(change);
        assertModified(DOWN, "1", "400");
        var order = inOrder(manager);
        order.verify(manager).updateParams(pod(RW), eq(Map.of("max_connections", "400")));
        order.verify(manager).restart(pod(RW));
        order.verify(manager).install(pod("pg-local-1003-1007"), any());
        verify(manager, times(1)).restart(any());
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Normal RwRestarted: RW 1002 restarted with {max_connections=400}"));
    }

    @Test
    void aRestartThatOutlastsItsBoundStopsTheFlowUntilTheRwAnswersThenThePollGoesOn() {
        var restartEnded = new java.util.concurrent.atomic.AtomicBoolean();
        afterCreate.add(() -> {
            org.mockito.Mockito.doAnswer(a -> new ManagerClient.Run(restartEnded.get(), false, Map.of()))
                    .when(manager)
                    .restartInBackground(pod(RW), org.mockito.ArgumentMatchers.anyString());
            org.mockito.Mockito.doReturn(
                            new ManagerClient.Health(ManagerClient.HealthState.STARTING, false, "crash recovery"))
                    .when(manager)
                    .health(pod(RW));
        });
        var change = modifyClass(DOWN);
        drive();
        assertThat(org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.jobQuery()
                        .activityId("Timer_RecheckRwRestart")
                        .count())
                .isEqualTo(1);
        later(java.time.Duration.ofMinutes(16));
        drive();
        assertThat(exhaust("Task_ReportRwNotRestarted"))
                .hasMessageContaining("the restart (lowered limits) of instance 1002")
                .hasMessageContaining("15 min")
                .hasMessageContaining("STARTING");
        verify(manager, never()).install(any(), any());

        restartEnded.set(true);
        org.mockito.Mockito.doReturn(new ManagerClient.Health(ManagerClient.HealthState.RUNNING, false, "up"))
                .when(manager)
                .health(pod(RW));
        retry("Task_ReportRwNotRestarted");
        finish(change);
        assertModified(DOWN, "1", "400");
    }

    @Test
    void aLimitTheRwAlreadyRunsWithNeedsNoRestart() {
        afterCreate.add(() ->
                when(manager.updateParams(any(), any())).thenReturn(new ManagerClient.ParamsResult(true, List.of())));
        var change = modifyClass(DOWN);
        finish(change);
        verify(manager).updateParams(pod(RW), eq(Map.of("max_connections", "400")));
        verify(manager, never()).restart(any());
    }

    @Test
    void aParameterTheUserChangedStays() {
        afterCreate.add(() -> {
            for (String which : new String[] {"user", "running"}) {
                String name = "pg-local-" + which + "-params";
                resources.apply(ParamsConfigMaps.update(
                        resources.cluster,
                        name,
                        resources.configMapData("default", name).orElseThrow(),
                        Map.of("shared_buffers", "3GB"),
                        Instant.now()));
            }
        });
        var change = modifyClass(UP);
        finish(change);
        assertThat(params("running")).containsEntry("shared_buffers", "3GB").containsEntry("max_connections", "1600");
        assertThat(params("user")).containsEntry("shared_buffers", "3GB");
    }

    @Test
    void anUnknownClassStopsBeforeAnythingChanges() {
        var change = modifyClass("polar.o.x99.huge");
        driveTo("Task_PlanClassChange");
        assertThat(exhaust("Task_PlanClassChange"))
                .hasMessageContaining(
                        "ConfigMap kube-system/postgresql-1-0-level-polar-o-x99-huge-resource-rwo not found");
        assertThat(params("running")).containsEntry("max_connections", "800");
        verify(manager, never()).install(any(), any());
        assertThat(ended(change)).isFalse();
    }

    /** An incident in each external step (or the flow it calls there); fixed and retried, the class change completes. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Task_LowerRwLimits",
                "Task_ApplyClassParams",
                "Task_ReplaceRos",
                "Task_ReplaceRw",
                "Task_Switchover",
                "Task_RemoveOldRw",
                "Task_FinishClassChange"
            })
    void anIncidentAtEachStepResumesWhereItStopped(String step) {
        var failure = new ManagerException("TIMEOUT", "the agent did not answer", null);
        Map<String, Runnable> breakers = rollingReplaceBreakers(failure);
        breakers.put("Task_LowerRwLimits", () -> doThrow(failure).when(manager).restart(pod(RW)));
        breakers.put(
                "Task_ApplyClassParams",
                () -> resources.failApply = new IllegalStateException("the API server refused apply (test)"));
        breakers.put("Task_FinishClassChange", () -> resources.failing.add("updateSpec"));
        String failing = failingStep(step);
        boolean down = step.equals("Task_LowerRwLimits");
        afterCreate.add(breakers.get(step));
        modifyClass(down ? DOWN : UP);
        drive(); // up to the failing step, which then waits for its next retry
        assertThat(exhaust(failing)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(failing);

        resources.failing.clear();
        resources.failApply = null;
        fixed();
        recordInstalls();
        retry(failing);
        assertThat(drive()).isZero();
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().count())
                .isZero();
        if (down) {
            verify(manager).restart(pod(RW)); // the retry restarts what the failed attempt did not
        }
        assertModified(down ? DOWN : UP, down ? "1" : "4", down ? "400" : "1600");
    }
}
