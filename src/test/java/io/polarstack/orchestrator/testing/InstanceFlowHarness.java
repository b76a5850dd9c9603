package io.polarstack.orchestrator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.when;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.fabric8.kubernetes.api.model.Pod;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.engine.ClusterStatusPlugin;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.Health;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.specs.Labels;

/**
 * What the *ProcessTest of the flows that replace, add and remove instances share, in FailoverProcessTest's style:
 * every delegate wired to a {@link RecordingClusterResources} and a Mockito {@link ManagerClient}, and a running
 * cluster made by CreateCluster first: RW 1002 (pod {@link #RW}) on node-a, ROs 1004 ({@link #RO1}) and 1006
 * ({@link #RO2}) on node-b, node-c free; the id counter is at 1007. Each test class registers its own engine
 * ({@link #engine(String)}) and deploys the models it runs.
 */
public abstract class InstanceFlowHarness {

    public static final String RW = "pg-local-1001-1002";
    public static final String RO1 = "pg-local-1003-1004";
    public static final String RO2 = "pg-local-1005-1006";
    public static final long LAG_LIMIT = 16 * 1024 * 1024;

    protected static final Map<String, Object> beans = new HashMap<>();
    protected static final ManagerClient manager = mock(ManagerClient.class);
    protected static final StorageFabric storage = mock(StorageFabric.class);
    protected static RecordingClusterResources resources;
    /** Replayed position per pod; the RW's pod answers as the primary. A pod not here does not answer. */
    protected static final Map<String, Long> positions = new ConcurrentHashMap<>();
    /** Pods that answer as the primary (the RW's, and after a switchover the new RW's). */
    protected static final List<String> primaries = new java.util.concurrent.CopyOnWriteArrayList<>();

    static final ClusterStatusPlugin statusPlugin = new ClusterStatusPlugin((ClusterResources) java.lang.reflect.Proxy.newProxyInstance(
            InstanceFlowHarness.class.getClassLoader(), new Class<?>[] {ClusterResources.class}, (proxy, method, args) -> {
                try {
                    return method.invoke(resources, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }));

    /** An in-memory engine over the shared beans, for a test class's {@code @RegisterExtension}. */
    protected static ProcessEngine engine(String name) {
        return TestEngines.inMemory(name, beans, statusPlugin);
    }

    protected abstract ProcessEngineExtension extension();

    protected ProcessEngine engine() {
        return extension().getProcessEngine();
    }

    @BeforeEach
    protected void wire() {
        reset(manager, storage);
        answerForARunningCluster();
        resources = new RecordingClusterResources("mpdcluster-local.yaml");
        beans.clear();
        beans.putAll(FlowBeans.all(resources, manager, storage));
    }

    @AfterEach
    protected void clean() {
        ClockUtil.reset();
        engine().getRuntimeService().createProcessInstanceQuery().list()
                .forEach(p -> engine().getRuntimeService().deleteProcessInstance(p.getId(), "test over", true, true));
    }

    /**
     * The manager's answers for a healthy cluster: every instance runs, installs and stops; every replica has replayed
     * what the primary wrote (1000). Set again after CreateCluster, so the counts a test verifies start at zero.
     */
    protected static void answerForARunningCluster() {
        when(manager.health(any())).thenReturn(new Health(HealthState.RUNNING, false, "select 1"));
        when(manager.install(any(), any())).thenReturn(new ManagerClient.InstallResult(false, false, null, false));
        when(manager.stop(any(), any(), anyInt())).thenReturn(new ManagerClient.StopResult(false, false));
        when(manager.promote(any())).thenReturn(new ManagerClient.RoleInfo(true, 2, null, null));
        when(manager.follow(any(), any(), anyString(), anyString())).thenReturn(true);
        when(manager.rejoin(any(), any(), anyString(), anyString())).thenReturn(true);
        when(manager.shutdownCheckpoint(any())).thenReturn(150L);
        when(storage.resolve(anyString())).thenAnswer(a -> new StorageFabric.ResolvedLun(a.getArgument(0),
                Map.of("node-a", "/dev/mapper/" + a.getArgument(0))));
        positions.clear();
        primaries.clear();
        primaries.add(RW);
        org.mockito.Mockito.doAnswer(a -> {
            String pod = a.<ManagerClient.Target>getArgument(0).pod();
            Long position = positions.getOrDefault(pod, 1000L);
            if (position < 0) {
                throw new ManagerException("ENGINE_NOT_RUNNING", pod + ": no server socket", null);
            }
            boolean primary = primaries.contains(pod);
            return new WalPosition(primary, 1, position, primary ? null : position);
        }).when(manager).walPosition(any());
    }

    /** CreateCluster run to its end; the manager's counts start again at zero. */
    protected void runningCluster() {
        var create = start("CreateCluster", Map.of());
        assertThat(drive()).isZero();
        assertThat(ended(create)).isTrue();
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1002");
        reset(manager);
        answerForARunningCluster();
    }

    protected ProcessInstance start(String key, Map<String, Object> variables) {
        Map<String, Object> all = new HashMap<>(variables);
        all.put("clusterNamespace", "default");
        all.put("clusterName", resources.cluster.getMetadata().getName());
        return engine().getRuntimeService().startProcessInstanceByKey(key, "default/" + resources.cluster.getMetadata().getName(), all);
    }

    /** Runs every job that is due and has retries, until none is left; returns the failures seen. */
    protected int drive() {
        int failures = 0;
        for (int round = 0; round < 500; round++) {
            List<Job> jobs = engine().getManagementService().createJobQuery().executable().list();
            if (jobs.isEmpty()) {
                return failures;
            }
            for (Job job : jobs) {
                try {
                    engine().getManagementService().executeJob(job.getId());
                } catch (RuntimeException e) {
                    failures++;
                }
            }
        }
        throw new AssertionError("jobs never ran out");
    }

    /** Runs jobs until one waits at {@code activityId} (in whichever flow); fails if the flow never gets there. */
    protected void driveTo(String activityId) {
        for (int round = 0; round < 200; round++) {
            if (engine().getManagementService().createJobQuery().activityId(activityId).count() > 0) {
                return;
            }
            Job next = engine().getManagementService().createJobQuery().executable().list().stream().findFirst()
                    .orElseThrow(() -> new AssertionError("the flow never reached " + activityId));
            engine().getManagementService().executeJob(next.getId());
        }
        throw new AssertionError("the flow never reached " + activityId);
    }

    /** Runs the job at {@code activityId} until its retries are used up; returns the last failure. */
    protected Throwable exhaust(String activityId) {
        Throwable last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Job job = engine().getManagementService().createJobQuery().activityId(activityId).singleResult();
            assertThat(job).as("a job at " + activityId).isNotNull();
            if (job.getRetries() == 0) {
                return last;
            }
            try {
                engine().getManagementService().executeJob(job.getId());
                throw new AssertionError(activityId + " did not fail");
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new AssertionError(activityId + " kept retrying");
    }

    /** The one open incident where a step failed (its callers carry incidents caused by it, left out here). */
    protected Incident incident() {
        var causes = engine().getRuntimeService().createIncidentQuery().list().stream()
                .filter(i -> i.getId().equals(i.getRootCauseIncidentId())).toList();
        assertThat(causes).as("incidents").hasSize(1);
        return causes.get(0);
    }

    protected void retry(String activityId) {
        Job job = engine().getManagementService().createJobQuery().activityId(activityId).singleResult();
        engine().getManagementService().setJobRetries(job.getId(), 1);
        engine().getManagementService().executeJob(job.getId());
    }

    protected boolean ended(ProcessInstance instance) {
        return engine().getRuntimeService().createProcessInstanceQuery().processInstanceId(instance.getId()).count() == 0;
    }

    /** Moves the engine's clock on, so due timers run on the next {@link #drive()}. */
    protected void later(java.time.Duration by) {
        ClockUtil.setCurrentTime(new java.util.Date(ClockUtil.getCurrentTime().getTime() + by.toMillis()));
    }

    protected static InstanceStatus entry(String insId) {
        return resources.cluster.getStatus().getDbInstanceStatus().get(insId);
    }

    protected static Map<String, InstanceStatus> entries() {
        return resources.cluster.getStatus().getDbInstanceStatus();
    }

    protected static boolean podExists(String pod) {
        return resources.applied.containsKey("Pod:default/" + pod);
    }

    protected static String roleLabel(String pod) {
        return ((Pod) resources.applied.get("Pod:default/" + pod)).getMetadata().getLabels().get(Labels.ROLE);
    }

    /** The id the counter hands out next (nothing is reserved). */
    protected static long nextId() {
        return resources.reserveIds("kube-system", 0);
    }

    protected static ManagerClient.Target pod(String name) {
        return argThat(t -> t != null && name.equals(t.pod()));
    }

    protected void annotate(String key, String value) {
        resources.annotate("default", resources.cluster.getMetadata().getName(), Map.of(key, value), java.util.Set.of());
    }

    protected static Map<String, String> annotations() {
        return resources.cluster.getMetadata().getAnnotations() == null ? Map.of() : resources.cluster.getMetadata().getAnnotations();
    }
}
