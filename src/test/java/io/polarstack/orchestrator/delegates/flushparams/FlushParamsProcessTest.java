package io.polarstack.orchestrator.delegates.flushparams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.EngineProbe.Setting;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.specs.ParamsConfigMaps;
import io.polarstack.orchestrator.testing.FlowHarness;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FlushParams on an in-memory engine, the ports mocked, on a cluster CreateCluster made first (RW 1002, ROs 1004 and
 * 1006). The engine's pg_settings is {@link #pgSettings}: what a params-update wrote shows there once "reloaded", a
 * postmaster one only as pending. RestartCluster is a stub that waits for a message.
 */
@Deployment(
        resources = {
            "processes/flush-params.bpmn",
            "processes/create-cluster.bpmn",
            "processes/create-instance.bpmn",
            "flushparams/restart-cluster-stub.bpmn"
        })
class FlushParamsProcessTest extends FlowHarness {

    /** name to (context, setting, unit, vartype); absent: the engine does not know it. */
    final Map<String, String[]> pgSettings = new ConcurrentHashMap<>();

    final Map<String, Boolean> pending = new ConcurrentHashMap<>();

    @BeforeEach
    void anEngine() {
        pgSettings.put("work_mem", new String[] {"user", "4096", "kB", "integer"});
        pgSettings.put("log_min_duration_statement", new String[] {"superuser", "-1", "ms", "integer"});
        pgSettings.put("max_connections", new String[] {"postmaster", "100", null, "integer"});
        pending.clear();
        reset(engineProbe());
        when(engineProbe().settingsOnce(any(), any(), any(), any())).thenAnswer(call -> {
            Collection<String> names = call.getArgument(2);
            Map<String, Setting> settings = new java.util.TreeMap<>();
            for (String name : names) {
                String[] s = pgSettings.get(name);
                if (s != null) {
                    settings.put(name, new Setting(s[0], s[1], s[2], s[3], pending.getOrDefault(name, false)));
                }
            }
            return new EngineProbe.Settings(Instant.parse("2026-12-01T00:00:00Z"), settings);
        });
    }

    /** A params-update "reloads": reload-only values show at once, postmaster ones as pending. */
    void managerApplies() {
        when(manager.updateParams(any(), anyMap())).thenAnswer(call -> {
            Map<String, String> params = call.getArgument(1);
            params.forEach((name, value) -> {
                String[] s = pgSettings.get(name);
                if ("postmaster".equals(s[0])) {
                    pending.put(name, true);
                } else if (name.equals("work_mem")) {
                    pgSettings.put(name, new String[] {
                        s[0], String.valueOf(Integer.parseInt(value.replace("MB", "")) * 1024), "kB", "integer"
                    });
                } else {
                    pgSettings.put(name, new String[] {s[0], value, s[2], s[3]});
                }
            });
            return null;
        });
    }

    String user() {
        return ParamsConfigMaps.userParamsName(resources.cluster);
    }

    String running() {
        return ParamsConfigMaps.runningParamsName(resources.cluster);
    }

    Map<String, String> values(String configMap) {
        return ParamsConfigMaps.values(
                configMap, resources.configMapData("default", configMap).orElseThrow());
    }

    /** The user edits {@code <cluster>-user-params} and asks for a flush. */
    ProcessInstance flush(Map<String, String> edits) {
        runningCluster();
        managerApplies();
        var data = resources.configMapData("default", user()).orElse(Map.of());
        if (!edits.isEmpty()) {
            resources.apply(ParamsConfigMaps.update(
                    resources.cluster, user(), data, edits, Instant.now().plusSeconds(5)));
        }
        annotate("flushParams", "true");
        return start("FlushParams", Map.of());
    }

    void assertFlushed(String name, String value) {
        assertThat(values(running())).containsEntry(name, value);
        assertThat(resources.configMapAnnotations("default", user()).orElseThrow())
                .containsKey("latestFlushTime");
        assertThat(annotations()).doesNotContainKeys("flushParams", "flushParamsRestartCluster");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void aReloadParameterReachesEveryInstanceRwFirstWithoutARestart() {
        var flush = flush(Map.of("work_mem", "8MB"));
        finish(flush);

        assertFlushed("work_mem", "8MB");
        var order = inOrder(manager);
        order.verify(manager).updateParams(pod(RW), eq(Map.of("work_mem", "8MB")));
        order.verify(manager).updateParams(pod(RO1), eq(Map.of("work_mem", "8MB")));
        order.verify(manager).updateParams(pod(RO2), eq(Map.of("work_mem", "8MB")));
        verify(manager, never()).restart(any());
        verify(manager, never()).restartInBackground(any(), any());
        assertThat(resources.events)
                .anyMatch(e -> e.startsWith("Normal ParamsReloaded: every instance runs with {work_mem=8MB}"));
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal ParamsFlushed"));
    }

    @Test
    void aSecondFlushOfTheSameEditIsANoOp() {
        finish(flush(Map.of("work_mem", "8MB")));
        reset(manager);
        annotate("flushParams", "true");
        var again = start("FlushParams", Map.of());
        finish(again);
        verify(manager, never()).updateParams(any(), anyMap());
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal FlushNoOp: nothing to flush"));
        assertThat(annotations()).doesNotContainKey("flushParams");
    }

    @Test
    void aFlushWithNothingEditedChangesNothing() {
        var flush = flush(Map.of());
        var before = resources.configMapData("default", running()).orElseThrow();
        finish(flush);
        verify(manager, never()).updateParams(any(), anyMap());
        assertThat(resources.configMapData("default", running()).orElseThrow()).isEqualTo(before);
        assertThat(resources.configMapAnnotations("default", user()).orElse(Map.of()))
                .doesNotContainKey("latestFlushTime");
        assertThat(resources.events).anyMatch(e -> e.startsWith("Normal FlushNoOp"));
    }

    @Test
    void aNameOffTheAllowListIsRefusedWithNothingWritten() {
        var flush = flush(Map.of("archive_command", "rm -rf /", "work_mem", "8MB"));
        finish(flush);
        verify(manager, never()).updateParams(any(), anyMap());
        assertThat(values(running())).doesNotContainKey("archive_command");
        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.OPERATION_AVAILABLE);
        assertThat(condition.getReason()).isEqualTo("PARAMS_REFUSED");
        assertThat(condition.getMessage())
                .contains("archive_command", "allow list")
                .doesNotContain("work_mem,");
        assertThat(annotations()).doesNotContainKey("flushParams");
        assertThat(resources.cluster.getStatus().getClusterStatus()).isEqualTo("Running");
    }

    @Test
    void aNameTheEngineDoesNotKnowIsRefusedWithItsName() {
        pgSettings.remove("log_min_duration_statement");
        var flush = flush(Map.of("log_min_duration_statement", "250", "work_mem", "8MB"));
        finish(flush);
        verify(manager, never()).updateParams(any(), anyMap());
        var condition = Conditions.get(resources.cluster.getStatus(), Conditions.OPERATION_AVAILABLE);
        assertThat(condition.getMessage()).contains("log_min_duration_statement", "no such setting");
    }

    @Test
    void aPostmasterParameterRecordsTheRestartAndCallsRestartCluster() {
        var flush = flush(Map.of("max_connections", "200"));
        drive();
        assertThat(annotations()).containsEntry("flushParamsRestartCluster", "true");
        var restart = FlowHarness.engine
                .getRuntimeService()
                .createProcessInstanceQuery()
                .processDefinitionKey("RestartCluster")
                .singleResult();
        assertThat(restart).as("RestartCluster called").isNotNull();
        assertThat(restart.getBusinessKey())
                .isEqualTo("default/" + resources.cluster.getMetadata().getName());
        assertThat(values(running())).as("not saved before the restart").doesNotContainEntry("max_connections", "200");

        FlowHarness.engine
                .getRuntimeService()
                .createMessageCorrelation("Restarted")
                .correlate();
        finish(flush);
        assertFlushed("max_connections", "200");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Task_PlanFlush", "Task_ApplyParams", "Task_VerifyParams", "Task_SaveFlush"})
    void anIncidentAtEachExternalStepResumesWhereItStopped(String step) {
        var flush = flush(Map.of("work_mem", "8MB"));
        driveTo(step);
        switch (step) {
            case "Task_PlanFlush", "Task_VerifyParams" ->
                org.mockito.Mockito.doThrow(new IllegalStateException("cannot read pg_settings: connection refused"))
                        .when(engineProbe())
                        .settingsOnce(any(), any(), any(), any());
            case "Task_ApplyParams" ->
                when(manager.updateParams(any(), anyMap()))
                        .thenThrow(new ManagerException("TIMEOUT", "the agent did not answer", null));
            default -> failCall("apply");
        }
        assertThat(exhaust(step)).isNotNull();
        assertThat(incident().getActivityId()).isEqualTo(step);

        resources.onCall = call -> {};
        anEngine();
        if (!step.equals("Task_ApplyParams") && !step.equals("Task_PlanFlush")) {
            pgSettings.put("work_mem", new String[] {"user", "8192", "kB", "integer"});
        }
        fixed();
        managerApplies();
        retry(step);
        finish(flush);
        assertFlushed("work_mem", "8MB");
    }
}
