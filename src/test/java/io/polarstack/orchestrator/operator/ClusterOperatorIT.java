package io.polarstack.orchestrator.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The operator against the real kube-apiserver: a resource in, a flow started, owned objects and status out;
 * an incident shown on the resource and resumed by annotation; cancel; delete through the finalizer.
 * There is no kubelet here, so pods stay Pending and CreateCluster waits at its pod step (the local-cluster
 * E2E tier runs it to the end). The resync is long, so every reaction here comes from a change or a flow's end.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"orchestrator.retry-profiles.k8s=R1/PT1S", "orchestrator.operator.resync=PT10M"})
class ClusterOperatorIT {

    static final String NS = "operator-" + System.nanoTime();
    static KubernetesClient admin;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "cluster-operator-it");
        admin = TestEnvironment.kubernetes();
        TestEnvironment.installCrd(admin);
        TestEnvironment.createNamespace(admin, NS);
        registry.add("orchestrator.operator.enabled", () -> "true");
        registry.add("orchestrator.operator.namespaces", () -> NS);
        registry.add("orchestrator.operator.lease-namespace", () -> NS);
        registry.add("orchestrator.operator.catalog-namespace", () -> NS);
    }

    /**
     * A busy engine database: the commit that ends a FlushParams flow takes 1.5 s, so the watch event of the flow's
     * last status write comes while the flow still looks active. The operator must start what waits all the same.
     */
    @org.springframework.boot.test.context.TestConfiguration
    static class SlowCommitAtFlushParamsEnd {
        @org.springframework.context.annotation.Bean
        org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin slowCommitAtFlushParamsEnd() {
            return new org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin() {
                @Override
                public void preInit(org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl configuration) {
                    if (configuration.getCustomPostBPMNParseListeners() == null) {
                        configuration.setCustomPostBPMNParseListeners(new java.util.ArrayList<>());
                    }
                    configuration
                            .getCustomPostBPMNParseListeners()
                            .add(new org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener() {
                                @Override
                                public void parseProcess(
                                        org.camunda.bpm.engine.impl.util.xml.Element element,
                                        org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity
                                                process) {
                                    if (process.getKey().equals("FlushParams")) {
                                        process.addListener("end", (org.camunda.bpm.engine.delegate.ExecutionListener)
                                                execution ->
                                                        org.camunda.bpm.engine.impl.context.Context.getCommandContext()
                                                                .getTransactionContext()
                                                                .addTransactionListener(
                                                                        org.camunda.bpm.engine.impl.cfg.TransactionState
                                                                                .COMMITTING,
                                                                        committing -> sleep(1500)));
                                    }
                                }
                            });
                }
            };
        }

        static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Autowired
    RuntimeService runtime;

    @Autowired
    org.camunda.bpm.engine.RepositoryService repository;

    @Autowired
    org.camunda.bpm.engine.HistoryService history;

    @Autowired
    io.polarstack.orchestrator.flows.ClusterFlows flows;

    @AfterAll
    static void cleanUp() {
        admin.resources(MPDCluster.class).inNamespace(NS).list().getItems().forEach(c -> {
            c.getMetadata().setFinalizers(List.of());
            admin.resource(c).update();
        });
        admin.namespaces().withName(NS).delete();
        admin.close();
    }

    static void catalog(String file) throws Exception {
        List<HasMetadata> objects = Serialization.unmarshal(Files.readString(Path.of("deploy/samples", file)));
        for (HasMetadata object : objects) {
            object.getMetadata().setNamespace(NS);
            admin.resource((ConfigMap) object).forceConflicts().serverSideApply();
        }
    }

    static MPDCluster create(String name, String version) throws Exception {
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName(name);
        cluster.getSpec().setFollowerNum(1);
        cluster.getSpec().getVersionCfg().setVersionName(version);
        return admin.resource(cluster).create();
    }

    static MPDCluster await(String name, String what, Predicate<MPDCluster> condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        MPDCluster cluster = null;
        while (System.nanoTime() < end) {
            cluster = admin.resources(MPDCluster.class)
                    .inNamespace(NS)
                    .withName(name)
                    .get();
            if (cluster != null && condition.test(cluster)) {
                return cluster;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("MPDCluster " + NS + "/" + name + ": " + what + " within 60 s; last seen: "
                + (cluster == null
                        ? "gone"
                        : Serialization.asYaml(cluster.getStatus())
                                + cluster.getMetadata().getAnnotations()));
    }

    static String step(MPDCluster c) {
        return c.getStatus() == null || c.getStatus().getFlow() == null
                ? null
                : c.getStatus().getFlow().getStep();
    }

    @Test
    void aNewClusterGetsAFlowItsObjectsAndItsStatusAndAnIncidentIsResumedByAnnotation() throws Exception {
        catalog("catalog-class-polar.o.x4.medium.yaml");
        create("pg-a", "v-missing");

        var interrupted = await(
                "pg-a",
                "stops at Task_InitMeta with an incident",
                c -> c.getStatus() != null && "Interrupt".equals(c.getStatus().getClusterStatus()));
        assertThat(interrupted.getMetadata().getFinalizers()).contains(MPDCluster.FINALIZER);
        assertThat(interrupted.getMetadata().getAnnotations())
                .containsEntry("interrupt.recover", "F")
                .containsEntry("interrupt.previous.status", "Creating")
                .hasEntrySatisfying(
                        "interrupt.message",
                        m -> assertThat(m)
                                .contains("Task_InitMeta")
                                .contains("postgresql-1-0-minor-version-info-rwo-v-missing"));
        assertThat(step(interrupted)).isEqualTo("Task_InitMeta");
        var condition = Conditions.get(interrupted.getStatus(), Conditions.INTERRUPTED);
        assertThat(condition.getStatus()).isEqualTo("True");
        assertThat(condition.getMessage()).contains("interrupt.recover=T");
        assertThat(admin.v1().events().inNamespace(NS).list().getItems())
                .anyMatch(e -> "StepFailed".equals(e.getReason())
                        && "pg-a".equals(e.getInvolvedObject().getName()));

        catalog("catalog-version-image-open.yaml"); // the fix: the version exists now...
        var fixed = admin.resources(MPDCluster.class)
                .inNamespace(NS)
                .withName("pg-a")
                .get();
        fixed.getSpec().getVersionCfg().setVersionName("image-open");
        admin.resource(fixed).update();
        admin.resources(MPDCluster.class).inNamespace(NS).withName("pg-a").edit(c -> {
            c.getMetadata().getAnnotations().put("interrupt.recover", "T");
            return c;
        });

        var resumed = await(
                "pg-a",
                "resumes and waits for its RW pod",
                c -> "Creating".equals(c.getStatus().getClusterStatus()) && "Task_CheckInstancePod".equals(step(c)));
        assertThat(resumed.getMetadata().getAnnotations()).doesNotContainKeys("interrupt.recover", "interrupt.message");
        assertThat(resumed.getStatus().getDbInstanceStatus()).hasSize(2);
        String uid = resumed.getMetadata().getUid();
        String rwPod = resumed.getStatus().getDbInstanceStatus().values().stream()
                .filter(i -> "rw".equals(i.getInsType()))
                .findFirst()
                .orElseThrow()
                .getPodName();
        var pod = admin.pods().inNamespace(NS).withName(rwPod).get();
        assertThat(pod).as("the RW pod").isNotNull();
        for (HasMetadata owned : List.<HasMetadata>of(
                pod,
                admin.secrets()
                        .inNamespace(NS)
                        .withName("pg-a-" + resumed.getStatus().getLogicId() + "-aurora")
                        .get(),
                admin.configMaps().inNamespace(NS).withName("pg-a-user-params").get(),
                admin.services().inNamespace(NS).withName("pg-a-rw").get())) {
            assertThat(owned.getMetadata().getOwnerReferences())
                    .as(owned.getKind() + " " + owned.getMetadata().getName())
                    .singleElement()
                    .satisfies(o -> {
                        assertThat(o.getUid()).isEqualTo(uid);
                        assertThat(o.getController()).isTrue();
                    });
        }

        // A request while the flow runs waits its turn: no second flow.
        admin.resources(MPDCluster.class).inNamespace(NS).withName("pg-a").edit(c -> {
            c.getMetadata().getAnnotations().put("restartCluster", "true");
            return c;
        });
        Thread.sleep(3000);
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey(NS + "/pg-a")
                        .rootProcessInstances()
                        .list())
                .singleElement()
                .satisfies(p -> assertThat(p.getProcessDefinitionId()).startsWith("CreateCluster:"));

        // Cancel: the flow goes, the cluster shows why.
        admin.resources(MPDCluster.class).inNamespace(NS).withName("pg-a").edit(c -> {
            c.getMetadata().getAnnotations().put("cancelled", "true");
            return c;
        });
        var cancelled = await(
                "pg-a",
                "is cancelled",
                c -> "CANCELLED".equals(c.getMetadata().getAnnotations().get("interrupt.reason")));
        assertThat(cancelled.getStatus().getClusterStatus()).isEqualTo("Interrupt");
        assertThat(cancelled.getMetadata().getAnnotations()).doesNotContainKey("cancelled");
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey(NS + "/pg-a")
                        .count())
                .isZero();

        // Delete: DeleteCluster runs, removes the finalizer, and the resource goes.
        admin.resources(MPDCluster.class).inNamespace(NS).withName("pg-a").delete();
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (admin.resources(MPDCluster.class)
                        .inNamespace(NS)
                        .withName("pg-a")
                        .get()
                != null) {
            assertThat(System.nanoTime())
                    .as("MPDCluster pg-a deleted through DeleteCluster")
                    .isLessThan(end);
            Thread.sleep(200);
        }
    }

    @Test
    void aSecondChangeDuringAFlowRunsAfterIt() throws Exception {
        // FlushParams comes in a later version; a stub of it (waits at Task_Hold until signalled) stands in here.
        try (var model = getClass().getResourceAsStream("/operator/flush-params-stub.bpmn.xml")) {
            repository
                    .createDeployment()
                    .name("FlushParams stub")
                    .addInputStream("flush-params-stub.bpmn", model)
                    .deploy();
        }
        catalog("catalog-class-polar.o.x4.medium.yaml");
        catalog("catalog-version-image-open.yaml");
        // A running cluster, taken over from another operator while a first flow (as if started through REST) runs.
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg-c");
        cluster.getSpec().setOperatorName("another-operator");
        cluster = admin.resource(cluster).create();
        cluster.setStatus(new io.polarstack.orchestrator.api.MPDClusterStatus());
        cluster.getStatus().setClusterStatus("Running");
        admin.resource(cluster).updateStatus();
        String key = NS + "/pg-c";
        var first = flows.start("FlushParams", NS, "pg-c", Map.of());

        // The change while the first flow runs: it must wait.
        admin.resources(MPDCluster.class).inNamespace(NS).withName("pg-c").edit(c -> {
            c.getSpec().setOperatorName("polar-mpd");
            c.getMetadata().getAnnotations().put("flushParams", "true");
            return c;
        });
        await(
                "pg-c",
                "is taken over (finalizer)",
                c -> c.getMetadata().getFinalizers() != null
                        && c.getMetadata().getFinalizers().contains(MPDCluster.FINALIZER));
        Thread.sleep(3000);
        assertThat(runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey(key)
                        .list())
                .as("only the first flow runs")
                .singleElement()
                .satisfies(p -> assertThat(p.getId()).isEqualTo(first.getId()));

        // The first flow ends; the waiting change starts right after, with no further change to the resource.
        long ended = System.nanoTime();
        runtime.signal(runtime.createExecutionQuery()
                .processInstanceId(first.getId())
                .activityId("Task_Hold")
                .singleResult()
                .getId());
        AppTestSupport.awaitEnded(history, first.getId(), Duration.ofSeconds(30));
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (runtime.createProcessInstanceQuery()
                        .processInstanceBusinessKey(key)
                        .count()
                == 0) {
            assertThat(System.nanoTime())
                    .as("the waiting FlushParams started after the first flow ended")
                    .isLessThan(end);
            Thread.sleep(100);
        }
        System.out.printf(
                "second flow started %d ms after the first was signalled%n", (System.nanoTime() - ended) / 1_000_000);
        Thread.sleep(3000);
        var second = runtime.createProcessInstanceQuery()
                .processInstanceBusinessKey(key)
                .singleResult();
        assertThat(second.getProcessDefinitionId()).startsWith("FlushParams:");
        assertThat(history.createHistoricProcessInstanceQuery()
                        .processInstanceBusinessKey(key)
                        .count())
                .as("the first flow and the waiting one, once")
                .isEqualTo(2);
        var now = admin.resources(MPDCluster.class)
                .inNamespace(NS)
                .withName("pg-c")
                .get();
        assertThat(now.getMetadata().getAnnotations()).containsEntry("flushParams", "true");
        assertThat(now.getMetadata().getGeneration())
                .as("no spec change after the one during the first flow")
                .isEqualTo(cluster.getMetadata().getGeneration() + 1);
        assertThat(now.getStatus().getFlow().getProcessInstanceId()).isEqualTo(second.getId());
        assertThat(now.getStatus().getClusterStatus()).isEqualTo("FlushParams");
        runtime.deleteProcessInstance(second.getId(), "test over");
    }

    @Test
    void aRebuildResumedByInterruptRecoverStartsAgainFromItsFirstStep() throws Exception {
        catalog("catalog-class-polar.o.x4.medium.yaml");
        catalog("catalog-version-image-open.yaml");
        // A running cluster whose version left the catalog, asked to rebuild: RebuildCluster stops at its plan.
        MPDCluster cluster = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")), MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg-d");
        cluster.getSpec().setOperatorName("another-operator");
        cluster.getSpec().getVersionCfg().setVersionName("v-gone");
        cluster = admin.resource(cluster).create();
        var status = new io.polarstack.orchestrator.api.MPDClusterStatus();
        status.setClusterStatus("Running");
        status.setLogicId("900");
        status.setLeaderInstanceId("902");
        var rw = new io.polarstack.orchestrator.api.InstanceStatus();
        rw.setPhysicalInsId("901");
        rw.setInsId("902");
        rw.setInsType("rw");
        rw.setPodName("pg-d-901-902");
        rw.setInstalled(true);
        var net = new io.polarstack.orchestrator.api.InstanceNetwork();
        net.setWorkingPort(5432);
        rw.setNetInfo(net);
        status.setDbInstanceStatus(Map.of("902", rw));
        cluster.setStatus(status);
        cluster = admin.resource(cluster).updateStatus();
        cluster.getSpec().setOperatorName("polar-mpd");
        cluster.getMetadata().setAnnotations(Map.of("forceRebuild", "true"));
        admin.resource(cluster).update();

        var interrupted = await(
                "pg-d",
                "stops at Task_PlanRebuild",
                c -> c.getStatus() != null
                        && "Interrupt".equals(c.getStatus().getClusterStatus())
                        && "Task_PlanRebuild".equals(step(c)));
        assertThat(interrupted.getMetadata().getAnnotations()).containsEntry("interrupt.previous.status", "Rebuild");
        String first = interrupted.getStatus().getFlow().getProcessInstanceId();

        var fixed = admin.resources(MPDCluster.class)
                .inNamespace(NS)
                .withName("pg-d")
                .get();
        fixed.getSpec().getVersionCfg().setVersionName("image-open");
        admin.resource(fixed).update();
        admin.resources(MPDCluster.class).inNamespace(NS).withName("pg-d").edit(c -> {
            c.getMetadata().getAnnotations().put("interrupt.recover", "T");
            return c;
        });

        var restarted = await(
                "pg-d",
                "runs a new RebuildCluster, waiting for the RW's pod",
                c -> c.getStatus().getFlow() != null
                        && !first.equals(c.getStatus().getFlow().getProcessInstanceId())
                        && "Task_CheckInstancePod".equals(step(c)));
        assertThat(restarted.getStatus().getClusterStatus()).isEqualTo("Rebuild");
        assertThat(restarted.getMetadata().getAnnotations())
                .doesNotContainKeys("interrupt.recover", "interrupt.previous.status");
        assertThat(runtime.createProcessInstanceQuery().processInstanceId(first).count())
                .as("the stopped one")
                .isZero();
        String second = restarted.getStatus().getFlow().getProcessInstanceId();
        assertThat(history.createHistoricActivityInstanceQuery()
                        .processInstanceId(second)
                        .activityId("Task_DisableHa")
                        .count())
                .as("the first step ran again")
                .isEqualTo(1);
        assertThat(admin.pods().inNamespace(NS).withName("pg-d-901-902").get())
                .as("the RW's pod, made again")
                .isNotNull();
    }
}
