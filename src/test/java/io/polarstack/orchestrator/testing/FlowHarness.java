package io.polarstack.orchestrator.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.execute;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.jobQuery;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.managementService;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.when;

import io.fabric8.kubernetes.api.model.Pod;
import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.delegates.failover.WalPositions;
import io.polarstack.orchestrator.engine.ClusterFlowGuardPlugin;
import io.polarstack.orchestrator.engine.ClusterStatusPlugin;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.EngineProbe;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.ports.ManagerClient.Health;
import io.polarstack.orchestrator.ports.ManagerClient.HealthState;
import io.polarstack.orchestrator.ports.ManagerClient.ManagerException;
import io.polarstack.orchestrator.ports.ManagerClient.WalPosition;
import io.polarstack.orchestrator.ports.SourceRepository;
import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.specs.Labels;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.io.ClassPathResource;

/**
 * The one harness of the tests that run flows (every *ProcessTest, and the ITs that drive an in-memory engine): one
 * in-memory engine with the project's plugins and the job executor off; the delegates as Spring finds them (a context
 * that scans {@code delegates} and {@code service}, so a new delegate needs no list) on this class's ports; job driving;
 * and a manager that answers like a healthy cluster. A test class extends it and names its models with
 * {@code @Deployment}. It may hand in ports of its own ({@link #storage}, {@link #builder}, {@link #sources},
 * {@link #imageBuild}) in its {@code @BeforeAll}; they hold for that class.
 * <p>
 * A cluster made by {@link #runningCluster()} from the local sample: RW 1002 (pod {@link #RW}) on node-a, ROs 1004
 * ({@link #RO1}) and 1006 ({@link #RO2}) on node-b, node-c free; the id counter is at 1007.
 */
@ExtendWith(FlowHarness.Deployments.class)
public abstract class FlowHarness {

    public static final String RW = "pg-local-1001-1002";
    public static final String RO1 = "pg-local-1003-1004";
    public static final String RO2 = "pg-local-1005-1006";
    /** {@code orchestrator.replace.max-lag-bytes} and {@code orchestrator.failover.max-lag-bytes} of application.yml. */
    public static final long LAG_LIMIT = 16 * 1024 * 1024;
    /** Enough rounds of jobs for the longest flow here; a flow that loops without end fails the test instead. */
    static final int ROUNDS = 1000;

    protected static final ManagerClient manager = mock(ManagerClient.class);
    protected static StorageFabric storage;
    protected static ImageBuilder builder;
    protected static SourceRepository sources;
    protected static ImageBuildProperties imageBuild;
    /** The cluster of the current test: the context's {@link ClusterResources} hands every call to it. */
    protected static FaultyClusterResources resources;
    /** Replayed WAL position per pod (1000 when not here); a negative one: the pod does not answer. */
    protected static final Map<String, Long> positions = new ConcurrentHashMap<>();
    /** Pods that answer as the primary besides the leader's (one just promoted, before status says so). */
    protected static final List<String> primaries = new CopyOnWriteArrayList<>();
    /** The operator setting that gives every instance of every cluster a port of its own. */
    private static boolean sharedPortSpace;
    /** Changes a test makes once CreateCluster is done (broken ports, odd entries); its own setup runs them. */
    protected final List<Runnable> afterCreate = new ArrayList<>();

    protected static final ProcessEngine engine = TestEngines.inMemory(
            "flows",
            new ContextBeans(),
            new ClusterStatusPlugin(port(ClusterResources.class)),
            // Every flow test runs under the one-flow-per-cluster guard, called flows included.
            new ClusterFlowGuardPlugin());
    private static AnnotationConfigApplicationContext context;

    static {
        defaultPorts();
    }

    /** Deploys each test's models ({@code @Deployment}) on the one engine and removes them after. */
    static final class Deployments extends ProcessEngineExtension {
        Deployments() {
            useProcessEngine(engine);
        }
    }

    private static void defaultPorts() {
        storage = mock(StorageFabric.class);
        builder = mock(ImageBuilder.class);
        sources = mock(SourceRepository.class);
        imageBuild = new ImageBuildProperties("", Path.of("target", "image-build"), null, Duration.ofMinutes(5));
    }

    @BeforeEach
    protected void wire() {
        BpmnAwareTests.init(engine);
        reset(manager);
        resetIfMock(storage, builder, sources);
        resources = new FaultyClusterResources("mpdcluster-local.yaml");
        healthy();
    }

    @AfterEach
    protected void clean() {
        ClockUtil.reset();
        engine.getRuntimeService()
                .createProcessInstanceQuery()
                .list()
                .forEach(p -> engine.getRuntimeService().deleteProcessInstance(p.getId(), "test over", true, true));
        if (sharedPortSpace) {
            sharedPortSpace = false;
            closeContext();
        }
        BpmnAwareTests.reset();
    }

    @AfterAll
    static void closePorts() {
        closeContext();
        defaultPorts();
    }

    /** From now on in this test, every instance of every cluster gets a port of its own (the delegates are made again). */
    protected static void sharedPortSpace() {
        sharedPortSpace = true;
        closeContext();
    }

    private static void resetIfMock(Object... ports) {
        for (Object port : ports) {
            if (mockingDetails(port).isMock()) {
                reset(port);
            }
        }
    }

    /** The delegates and what they need, found as the application finds them, on this class's ports. */
    static synchronized AnnotationConfigApplicationContext context() {
        if (context == null) {
            var properties = new OrchestratorProperties(
                    Map.of(),
                    null,
                    null,
                    null,
                    new OrchestratorProperties.Operator(
                            true, null, null, null, "test", null, null, sharedPortSpace, 0));
            var beans = new AnnotationConfigApplicationContext();
            try {
                for (var source : new YamlPropertySourceLoader()
                        .load("application.yml", new ClassPathResource("application.yml"))) {
                    beans.getEnvironment().getPropertySources().addLast(source); // the @Value settings as shipped
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            port(beans, ClusterResources.class, () -> port(ClusterResources.class));
            port(beans, ManagerClient.class, () -> manager);
            port(beans, StorageFabric.class, () -> storage);
            port(beans, ImageBuilder.class, () -> builder);
            port(beans, SourceRepository.class, () -> sources);
            port(beans, EngineProbe.class, () -> mock(EngineProbe.class));
            // the SQL path (EngineWalPositions) runs in the E2Es; here the manager mock answers positions
            beans.registerBean(WalPositions.class, () -> ManagerWalPositions.of(manager), d -> d.setPrimary(true));
            beans.registerBean(OrchestratorProperties.class, () -> properties);
            beans.registerBean(ImageBuildProperties.class, () -> imageBuild);
            beans.registerBean("ids", IdList.class);
            beans.scan("io.polarstack.orchestrator.delegates", "io.polarstack.orchestrator.service");
            beans.refresh();
            context = beans;
        }
        return context;
    }

    /** A test's port as a bean; the test closes it, not the context. */
    private static <T> void port(AnnotationConfigApplicationContext beans, Class<T> type, Supplier<T> port) {
        beans.registerBean(type, port, d -> d.setDestroyMethodName(""));
    }

    private static synchronized void closeContext() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    /** The engine's beans: the context's, by the names the models' expressions use. */
    static final class ContextBeans extends AbstractMap<String, Object> {
        @Override
        public boolean containsKey(Object name) {
            return context().containsBean(String.valueOf(name));
        }

        @Override
        public Object get(Object name) {
            return context().getBean(String.valueOf(name));
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            throw new UnsupportedOperationException("beans are looked up by name");
        }
    }

    /** A {@code type} whose every call goes to the current test's {@link #resources}. */
    @SuppressWarnings("unchecked")
    static <T> T port(Class<T> type) {
        return (T) Proxy.newProxyInstance(
                FlowHarness.class.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                    try {
                        return method.invoke(resources, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * The manager and storage of a healthy cluster: every instance runs, installs, stops and promotes; each LUN is seen
     * on node-a and locked to it; the leader's pod (and any in {@link #primaries}) answers as the primary, every pod at
     * its {@link #positions position}; a pod whose position says it does not answer is stopped in health's view.
     */
    protected static void healthy() {
        when(manager.install(any(), any())).thenReturn(new ManagerClient.InstallResult(false, false, null, false));
        when(manager.stop(any(), any(), anyInt())).thenReturn(new ManagerClient.StopResult(false, false, null));
        // Promotion by SQL runs in the E2Es; here the manager mock promotes, unless a test stubs this.
        doReturn(EngineProbe.Promotion.UNSUPPORTED).when(engineProbe()).promote(any(), any(), any(), any());
        // A background run finishes within its first call here; its failure is the synchronous action's. doAnswer:
        // stubbing again (healthy() after a test's own stubs) must not call the answer.
        doAnswer(a -> {
                    manager.install(a.getArgument(0), a.getArgument(1));
                    return new ManagerClient.Run(true, true, Map.of());
                })
                .when(manager)
                .installInBackground(any(), any(), anyString());
        doAnswer(a -> {
                    manager.start(a.getArgument(0));
                    return new ManagerClient.Run(true, true, Map.of());
                })
                .when(manager)
                .startInBackground(any(), anyString());
        doAnswer(a -> {
                    manager.restart(a.getArgument(0));
                    return new ManagerClient.Run(true, true, Map.of());
                })
                .when(manager)
                .restartInBackground(any(), anyString());
        doAnswer(a -> {
                    manager.stop(a.getArgument(0), a.getArgument(1), a.getArgument(2));
                    return new ManagerClient.Run(true, true, Map.of());
                })
                .when(manager)
                .stopInBackground(any(), any(), anyInt(), anyString());
        doAnswer(a -> new ManagerClient.Run(
                        true,
                        true,
                        Map.of(
                                "rewound",
                                String.valueOf(manager.rejoin(
                                        a.getArgument(0), a.getArgument(1), a.getArgument(2), a.getArgument(3))))))
                .when(manager)
                .rejoinInBackground(any(), any(), anyString(), anyString(), anyString());
        when(manager.promote(any())).thenReturn(new ManagerClient.RoleInfo(true, 2, null, null));
        when(manager.follow(any(), any(), anyString(), anyString())).thenReturn(true);
        when(manager.rejoin(any(), any(), anyString(), anyString())).thenReturn(true);
        when(manager.shutdownCheckpoint(any())).thenReturn(150L);
        when(manager.updateParams(any(), any())).thenReturn(new ManagerClient.ParamsResult(true, List.of()));
        when(manager.systemIdentifier(any())).thenReturn("7300000000000000001");
        positions.clear();
        primaries.clear();
        doAnswer(a -> {
                    String pod = a.<ManagerClient.Target>getArgument(0).pod();
                    long position = positions.getOrDefault(pod, 1000L);
                    if (position < 0) {
                        throw new ManagerException("ENGINE_NOT_RUNNING", pod + ": no server socket", null);
                    }
                    boolean primary = primaries.contains(pod) || pod.equals(leaderPod());
                    return new WalPosition(primary, 1, position, primary ? null : position);
                })
                .when(manager)
                .walPosition(any());
        // a pod whose position says it does not answer is, in the manager's view, not running
        doAnswer(a -> positions.getOrDefault(
                                        a.<ManagerClient.Target>getArgument(0).pod(), 1000L)
                                < 0
                        ? new Health(HealthState.STOPPED, false, "no postmaster.pid")
                        : new Health(HealthState.RUNNING, false, "select 1"))
                .when(manager)
                .health(any());
        if (mockingDetails(storage).isMock()) {
            when(storage.resolve(anyString()))
                    .thenAnswer(a -> new StorageFabric.ResolvedLun(
                            a.getArgument(0), Map.of("node-a", "/dev/mapper/" + a.getArgument(0))));
            when(storage.lockWrite(anyString(), anyString()))
                    .thenAnswer(a ->
                            new StorageFabric.Reservation(a.getArgument(0), 1, List.of("0x7f000002"), "0x7f000002", 7));
        }
    }

    private static String leaderPod() {
        var status = resources.cluster.getStatus();
        var leader = status == null || status.getLeaderInstanceId() == null
                ? null
                : status.getDbInstanceStatus().get(status.getLeaderInstanceId());
        return leader == null ? null : leader.getPodName();
    }

    /** The cause is fixed: the manager answers as {@link #healthy()} again, its counts at zero. */
    protected static void fixed() {
        reset(manager);
        healthy();
    }

    /** CreateCluster run to its end; the manager's counts start again at zero. */
    protected void runningCluster() {
        finish(start("CreateCluster", Map.of()));
        assertThat(resources.cluster.getStatus().getLeaderInstanceId()).isEqualTo("1002");
        fixed();
    }

    /** Starts {@code key} for the test's cluster, with the business key and variables the operator gives it. */
    protected ProcessInstance start(String key, Map<String, Object> variables) {
        Map<String, Object> all = new HashMap<>(variables);
        String namespace = resources.cluster.getMetadata().getNamespace();
        String name = resources.cluster.getMetadata().getName();
        all.put("clusterNamespace", namespace);
        all.put("clusterName", name);
        return engine.getRuntimeService().startProcessInstanceByKey(key, namespace + "/" + name, all);
    }

    /** Runs every job that is due and has retries, until none is left; returns how many runs failed. */
    protected static int drive() {
        int failures = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<Job> jobs = jobQuery().executable().list();
            if (jobs.isEmpty()) {
                return failures;
            }
            for (Job job : jobs) {
                try {
                    execute(job);
                } catch (RuntimeException e) {
                    failures++;
                }
            }
        }
        throw new AssertionError("jobs never ran out");
    }

    /**
     * Runs jobs until one waits at {@code activityId} (in whichever flow), without running it. With several jobs there
     * over time (a step of a called flow run per instance), use {@link #drive} and then {@link #exhaust}.
     */
    protected static void driveTo(String activityId) {
        for (int round = 0; round < ROUNDS; round++) {
            if (jobQuery().activityId(activityId).count() > 0) {
                return;
            }
            execute(jobQuery().executable().list().stream()
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("the flow never reached " + activityId)));
        }
        throw new AssertionError("the flow never reached " + activityId);
    }

    /** Runs the jobs at {@code activityId} until their retries are used up, each run failing; returns the last failure. */
    protected static Throwable exhaust(String activityId) {
        assertThat(jobQuery().activityId(activityId).list())
                .as("a job at " + activityId)
                .isNotEmpty();
        Throwable last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            List<Job> left = jobQuery().activityId(activityId).withRetriesLeft().list();
            if (left.isEmpty()) {
                return last;
            }
            for (Job job : left) {
                try {
                    execute(job);
                    throw new AssertionError(activityId + " did not fail");
                } catch (RuntimeException e) {
                    last = e;
                }
            }
        }
        throw new AssertionError(activityId + " kept retrying");
    }

    /** What a person does after fixing the cause: each failed job at {@code activityId} gets a retry and runs. */
    protected static void retry(String activityId) {
        List<Job> failed = jobQuery().activityId(activityId).noRetriesLeft().list();
        assertThat(failed).as("a failed job at " + activityId).isNotEmpty();
        for (Job job : failed) {
            managementService().setJobRetries(job.getId(), 1);
            execute(job);
        }
    }

    /** Runs the jobs to the end of {@code instance}, none of them failing. */
    protected static void finish(ProcessInstance instance) {
        assertThat(drive()).as("failed job runs").isZero();
        BpmnAwareTests.assertThat(instance).isEnded();
    }

    protected static boolean ended(ProcessInstance instance) {
        return engine.getRuntimeService()
                        .createProcessInstanceQuery()
                        .processInstanceId(instance.getId())
                        .count()
                == 0;
    }

    /** The engine probe the delegates of this test class use (a mock; stub it per test). */
    protected static EngineProbe engineProbe() {
        return context().getBean(EngineProbe.class);
    }

    /** The one open incident where a step failed (its callers carry incidents caused by it, left out here). */
    protected static Incident incident() {
        var causes = engine.getRuntimeService().createIncidentQuery().list().stream()
                .filter(i -> i.getId().equals(i.getRootCauseIncidentId()))
                .toList();
        assertThat(causes).as("incidents").hasSize(1);
        return causes.get(0);
    }

    /** Moves the engine's clock on, so due timers run on the next {@link #drive()}. */
    protected static void later(Duration by) {
        ClockUtil.setCurrentTime(new Date(ClockUtil.getCurrentTime().getTime() + by.toMillis()));
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
        return ((Pod) resources.applied.get("Pod:default/" + pod))
                .getMetadata()
                .getLabels()
                .get(Labels.ROLE);
    }

    /** The id the counter hands out next (nothing is reserved). */
    protected static long nextId() {
        return resources.reserveIds("kube-system", 0);
    }

    /** Matches the manager target of {@code name}'s pod. */
    protected static ManagerClient.Target pod(String name) {
        return argThat(t -> t != null && name.equals(t.pod()));
    }

    protected static void annotate(String key, String value) {
        resources.annotate("default", resources.cluster.getMetadata().getName(), Map.of(key, value), Set.of());
    }

    protected static Map<String, String> annotations() {
        return resources.cluster.getMetadata().getAnnotations() == null
                ? Map.of()
                : resources.cluster.getMetadata().getAnnotations();
    }

    /** Makes the named write of {@link #resources} ({@code apply}, {@code deletePod}, ...) fail, on top of what fails already. */
    protected static void failCall(String name) {
        var previous = resources.onCall;
        resources.onCall = call -> {
            previous.accept(call);
            if (call.equals(name)) {
                throw new IllegalStateException(name + ": the API server did not answer");
            }
        };
    }

    /**
     * How the incident tests of ModifyClass and UpgradeMinorVersion break each step of the rolling replacement they
     * share; {@link #failingStep} names the step that then holds the incident (inside a called flow).
     */
    protected static Map<String, Runnable> rollingReplaceBreakers(RuntimeException failure) {
        return new java.util.HashMap<>(Map.of(
                "Task_ReplaceRos",
                () -> when(manager.install(pod("pg-local-1005-1008"), any())).thenThrow(failure),
                "Task_ReplaceRw",
                () -> when(manager.install(pod("pg-local-1001-1009"), any())).thenThrow(failure),
                "Task_Switchover",
                () -> when(manager.promote(any())).thenThrow(failure),
                "Task_RemoveOldRw",
                () -> doThrow(failure).when(manager).removeSlot(any(), any(), anyString(), eq("1002"))));
    }

    protected static String failingStep(String step) {
        return Map.of(
                        "Task_ReplaceRos",
                        "Task_InstallInstance",
                        "Task_ReplaceRw",
                        "Task_InstallInstance",
                        "Task_Switchover",
                        "Task_Promote",
                        "Task_RemoveOldRw",
                        "Task_DropSlot")
                .getOrDefault(step, step);
    }
}
