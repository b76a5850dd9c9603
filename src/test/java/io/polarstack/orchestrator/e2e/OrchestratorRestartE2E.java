package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.LocalClusterSetup;
import io.polarstack.orchestrator.testing.TestEnvironment;

/**
 * The orchestrator, run as its own process from the packaged jar, is killed (SIGKILL) in the middle of CreateCluster,
 * while the first RO installs, and started again on the same engine database. The restarted replica releases the
 * step it had locked and finishes the flow: the ids reserved before the kill, the same pods, no object made twice,
 * every instance installed once, replication working. Then it is killed again in the middle of a planned switchover,
 * while the RO is promoted: restarted, it finishes with exactly one promotion (one primary, timeline 2) and the old
 * RW back as an RO. A delete leaves nothing.
 */
@LocalCluster
class OrchestratorRestartE2E {

    static final String NS = "e2e-restart-" + System.nanoTime();
    static final String IDENTITY = "restart-e2e-replica";
    static final Path KUBECONFIG = Path.of("/tmp/polarstack-local-cluster/kubeconfig");
    static final Path JAR = Path.of("target/orchestrator.jar");
    static final Path WORK = Path.of("target/restart-e2e", NS);
    static final Pattern INSTALLED = Pattern.compile("install succeeded in \\d+ ms: \\{[^}]*skipped=false");

    static Process orchestrator;

    @BeforeAll
    static void imagesCatalogAndNamespace(KubernetesClient client) throws Exception {
        assertThat(JAR).as("the packaged jar (mvn package runs before the E2E tier)").exists();
        LocalClusterSetup.localImages();
        TestEnvironment.installCrd(client);
        List<HasMetadata> classes = Serialization.unmarshal(
                Files.readString(Path.of("deploy/samples/catalog-class-polar.o.x4.medium.yaml")));
        classes.forEach(c -> client.resource((ConfigMap) c).forceConflicts().serverSideApply());
        LocalClusterSetup.namespace(client, NS);
        Files.createDirectories(WORK);
    }

    @AfterAll
    static void stopAndDropNamespace(KubernetesClient client) throws Exception {
        printEngineRestarts(client);
        if (orchestrator != null && orchestrator.isAlive()) {
            orchestrator.destroy();
            orchestrator.waitFor(30, TimeUnit.SECONDS);
        }
        // A failed run may leave the cluster behind with its finalizer and no orchestrator to remove it.
        client.resources(MPDCluster.class).inNamespace(NS).list().getItems().forEach(c -> client.resources(MPDCluster.class)
                .inNamespace(NS).withName(c.getMetadata().getName()).edit(e -> { e.getMetadata().setFinalizers(List.of()); return e; }));
        client.namespaces().withName(NS).delete();
    }

    /** The jar as a separate process against the local cluster, with its H2 file database under {@link #WORK}. */
    static Process startOrchestrator(int run) throws Exception {
        return startOrchestrator(NS, WORK, run);
    }

    static Process startOrchestrator(String namespace, Path work, int run) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        var builder = new ProcessBuilder(java, "-Xmx768m", "-jar", JAR.toString(), "serve",
                "--server.port=0",
                "--orchestrator.data-dir=" + work.resolve("data").toAbsolutePath(),
                "--orchestrator.kubernetes.kubeconfig=" + KUBECONFIG,
                "--orchestrator.operator.enabled=true",
                "--orchestrator.operator.identity=" + IDENTITY,
                "--orchestrator.operator.namespaces=" + namespace,
                "--orchestrator.operator.lease-namespace=" + namespace,
                "--orchestrator.operator.shared-port-space=false")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("orchestrator-" + run + ".log").toFile());
        builder.environment().put("ORCHESTRATOR_ADMIN_PASSWORD", AppTestSupport.ADMIN_PASSWORD);
        return builder.start();
    }

    @Test
    void killedMidCreateAndRestartedItFinishesWithNothingTwice(KubernetesClient client) throws Exception {
        orchestrator = startOrchestrator(1);
        MPDCluster cluster = Serialization.unmarshal(Files.readString(Path.of("deploy/samples/mpdcluster-local.yaml")),
                MPDCluster.class);
        cluster.getMetadata().setNamespace(NS);
        cluster.getMetadata().setName("pg");
        cluster.getSpec().getVersionCfg().setVersionName("local");
        cluster.getSpec().getNetCfg().setEngineStartPort(CreateClusterE2E.freePort());
        client.resource(cluster).create();
        var resource = client.resources(MPDCluster.class).inNamespace(NS).withName("pg");

        // Mid-create: the RW is installed and the first RO's install step runs.
        long started = System.nanoTime();
        await(Duration.ofMinutes(8), () -> "the first RO's Task_InstallInstance; last: " + CreateClusterE2E.describe(resource.get()),
                () -> {
                    assertThat(orchestrator.isAlive()).as("orchestrator process (log in " + WORK + ")").isTrue();
                    var c = resource.get();
                    notInterrupted(c);
                    return c != null && c.getStatus() != null && c.getStatus().getFlow() != null
                            && "Task_InstallInstance".equals(c.getStatus().getFlow().getStep())
                            && c.getStatus().getDbInstanceStatus().values().stream()
                                    .filter(i -> Boolean.TRUE.equals(i.getInstalled())).count() == 1;
                });
        // Kill while the manager agent works for that step (install or start), not before it was asked.
        String firstRo = resource.get().getStatus().getDbInstanceStatus().values().stream()
                .filter(i -> "ro".equals(i.getInsType()) && client.pods().inNamespace(NS).withName(i.getPodName()).get() != null)
                .findFirst().orElseThrow().getPodName();
        await(Duration.ofMinutes(2), () -> "an install request in " + firstRo + "'s /log/manager.log",
                () -> execQuietly(client, firstRo, "cat /log/manager.log 2>/dev/null").contains("install request"));
        var before = resource.get();
        Map<String, String> podsBefore = uids(client.pods().inNamespace(NS).list().getItems());
        Map<String, String> ownedBefore = owned(client, before);
        System.out.printf("mid-create after %d s: pods %s; %s's agent log:%n%s%n", (System.nanoTime() - started) / 1_000_000_000,
                podsBefore.keySet(), firstRo, execQuietly(client, firstRo, "grep -h 'request\\|succeeded\\|failed' /log/manager.log"));

        long pid = orchestrator.pid();
        orchestrator.destroyForcibly();  // SIGKILL: no shutdown hook, no lock or Lease released
        assertThat(orchestrator.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(orchestrator.exitValue()).as("exit status of pid " + pid + " killed by SIGKILL").isEqualTo(137);

        long restarted = System.nanoTime();
        orchestrator = startOrchestrator(2);
        await(Duration.ofMinutes(8), () -> "MPDCluster " + NS + "/pg Running after the restart; last: "
                + CreateClusterE2E.describe(resource.get()), () -> {
                    assertThat(orchestrator.isAlive()).as("restarted orchestrator process").isTrue();
                    var c = resource.get();
                    notInterrupted(c);
                    return c != null && c.getStatus() != null && "Running".equals(c.getStatus().getClusterStatus());
                });
        System.out.printf("Running %d s after the restart%n", (System.nanoTime() - restarted) / 1_000_000_000);
        printEngineRestarts(client);
        assertThat(Files.readString(WORK.resolve("orchestrator-2.log")))
                .as("the restarted replica released the step it had locked, instead of waiting out the lock")
                .containsPattern("released 1 step\\(s\\) that this replica \\(" + IDENTITY + "\\) had locked");

        var running = resource.get();
        assertThat(running.getStatus().getLogicId()).isEqualTo(before.getStatus().getLogicId());
        assertThat(running.getStatus().getDbInstanceStatus()).as("the instance ids reserved before the kill")
                .containsOnlyKeys(before.getStatus().getDbInstanceStatus().keySet());
        assertThat(running.getStatus().getLeaderInstanceId()).isEqualTo(before.getStatus().getLeaderInstanceId());
        running.getStatus().getDbInstanceStatus().forEach((id, instance) -> {
            var was = before.getStatus().getDbInstanceStatus().get(id);
            assertThat(instance.getPhysicalInsId()).as(id).isEqualTo(was.getPhysicalInsId());
            assertThat(instance.getPodName()).as(id).isEqualTo(was.getPodName());
            assertThat(instance.getNetInfo().getWorkingPort()).as(id).isEqualTo(was.getNetInfo().getWorkingPort());
        });
        assertThat(running.getStatus().getDbInstanceStatus().values()).extracting(InstanceStatus::getNodeName)
                .as("one instance per node").doesNotHaveDuplicates().hasSize(3);

        Map<String, String> podsAfter = uids(client.pods().inNamespace(NS).list().getItems());
        assertThat(podsAfter).as("exactly the three instance pods")
                .containsOnlyKeys(running.getStatus().getDbInstanceStatus().values().stream().map(InstanceStatus::getPodName).toList());
        assertThat(podsAfter).as("pods that existed before the kill were kept, not made again").containsAllEntriesOf(podsBefore);
        assertThat(owned(client, running)).as("Secrets, Services and ConfigMaps: the ones made before the kill, none again")
                .isEqualTo(ownedBefore);

        for (InstanceStatus instance : running.getStatus().getDbInstanceStatus().values()) {
            String log = exec(client, instance.getPodName(), "cat /log/manager.log*");
            System.out.printf("%s's agent log:%n%s%n", instance.getPodName(), log.lines()
                    .filter(l -> l.contains(" request ") || l.contains("succeeded") || l.contains("failed") || l.contains("waiting"))
                    .map(l -> l.length() > 220 ? l.substring(0, 220) : l).collect(java.util.stream.Collectors.joining("\n")));
            assertThat(INSTALLED.matcher(log).results().count()).as("installs that did the work on " + instance.getPodName())
                    .isEqualTo(1);
        }

        InstanceStatus rw = running.getStatus().getDbInstanceStatus().get(running.getStatus().getLeaderInstanceId());
        var secret = client.secrets().inNamespace(NS).withName("pg-" + running.getStatus().getLogicId() + "-aurora").get();
        String password = new String(java.util.Base64.getDecoder().decode(secret.getData().get("Password")), StandardCharsets.UTF_8);
        try (var c = CreateClusterE2E.connect(rw, password); var st = c.createStatement()) {
            st.execute("create table restart_e2e(id int primary key, note text)");
            st.execute("insert into restart_e2e values (1, 'written on the RW')");
        }
        for (InstanceStatus ro : running.getStatus().getDbInstanceStatus().values()) {
            if (!"ro".equals(ro.getInsType())) {
                continue;
            }
            await(Duration.ofSeconds(60), () -> "the row on RO " + ro.getInsId(), () -> {
                try (var c = CreateClusterE2E.connect(ro, password); var st = c.createStatement();
                     var rows = st.executeQuery("select note from restart_e2e where id = 1")) {
                    return rows.next() && rows.getString(1).equals("written on the RW");
                } catch (SQLException e) {
                    return false;  // not replayed yet
                }
            });
        }

        // Killed mid-failover: a planned switchover, the orchestrator killed while the RO is being promoted.
        String candidate = running.getStatus().getDbInstanceStatus().values().stream().filter(i -> "ro".equals(i.getInsType()))
                .map(InstanceStatus::getInsId).sorted().findFirst().orElseThrow();
        String candidatePod = running.getStatus().getDbInstanceStatus().get(candidate).getPodName();
        FailoverE2E.annotate(resource, "switchRw", candidate);
        await(Duration.ofMinutes(3), () -> "Failover at Task_Promote; last: " + CreateClusterE2E.describe(resource.get()), () -> {
            var c = resource.get();
            notInterrupted(c);
            return c.getStatus().getFlow() != null && "Task_Promote".equals(c.getStatus().getFlow().getStep());
        });
        await(Duration.ofMinutes(1), () -> "a promote request in " + candidatePod + "'s agent log",
                () -> execQuietly(client, candidatePod, "cat /log/manager.log").contains("promote request"));
        orchestrator.destroyForcibly();
        assertThat(orchestrator.waitFor(30, TimeUnit.SECONDS)).isTrue();
        orchestrator = startOrchestrator(3);
        FailoverE2E.awaitLeader(resource, NS, candidate, "the switchover finished by the restarted orchestrator");
        var switched = resource.get();
        int primaries = 0;
        for (InstanceStatus instance : switched.getStatus().getDbInstanceStatus().values()) {
            try (var c = CreateClusterE2E.connect(instance, password); var st = c.createStatement();
                 var rows = st.executeQuery("select pg_is_in_recovery()")) {
                rows.next();
                primaries += rows.getBoolean(1) ? 0 : 1;
            }
        }
        try (var c = CreateClusterE2E.connect(switched.getStatus().getDbInstanceStatus().get(candidate), password);
             var st = c.createStatement();
             var rows = st.executeQuery("select pg_is_in_recovery(), ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))"
                     + "::bit(32)::int")) {
            rows.next();
            assertThat(rows.getBoolean(1)).as("the new RW is no replica").isFalse();
            assertThat(rows.getInt(2)).as("exactly one promotion: timeline 1 became 2").isEqualTo(2);
        }
        assertThat(primaries).as("exactly one primary").isEqualTo(1);
        assertThat(switched.getStatus().getDbInstanceStatus().get(before.getStatus().getLeaderInstanceId()).getInsType())
                .as("the old RW rejoined as an RO").isEqualTo("ro");

        resource.delete();
        await(Duration.ofMinutes(3), () -> "MPDCluster " + NS + "/pg gone through DeleteCluster", () -> resource.get() == null);
        await(Duration.ofMinutes(2), () -> "its pods, Secrets, Services and ConfigMaps garbage-collected",
                () -> client.pods().inNamespace(NS).list().getItems().isEmpty()
                        && client.services().inNamespace(NS).list().getItems().isEmpty()
                        && ownedBy(client.secrets().inNamespace(NS).list().getItems(), running).isEmpty()
                        && ownedBy(client.configMaps().inNamespace(NS).list().getItems(), running).isEmpty());
    }

    static void notInterrupted(MPDCluster c) {
        if (c != null && c.getStatus() != null && "Interrupt".equals(c.getStatus().getClusterStatus())) {
            throw new AssertionError("the flow stopped with an incident: " + CreateClusterE2E.describe(c));
        }
    }

    static Map<String, String> uids(List<? extends HasMetadata> objects) {
        Map<String, String> uids = new TreeMap<>();
        objects.forEach(o -> uids.put(o.getMetadata().getName(), o.getMetadata().getUid()));
        return uids;
    }

    static <T extends HasMetadata> List<T> ownedBy(List<T> objects, MPDCluster cluster) {
        return objects.stream().filter(o -> o.getMetadata().getOwnerReferences() != null && o.getMetadata().getOwnerReferences()
                .stream().anyMatch(r -> r.getUid().equals(cluster.getMetadata().getUid()))).toList();
    }

    /** kind/name to uid of the Secrets, Services and ConfigMaps the cluster owns. */
    static Map<String, String> owned(KubernetesClient client, MPDCluster cluster) {
        Map<String, String> owned = new TreeMap<>();
        Function<String, Function<HasMetadata, String>> key = kind -> o -> kind + "/" + o.getMetadata().getName();
        for (var o : ownedBy(client.secrets().inNamespace(NS).list().getItems(), cluster)) {
            owned.put(key.apply("Secret").apply(o), o.getMetadata().getUid());
        }
        for (var o : ownedBy(client.services().inNamespace(NS).list().getItems(), cluster)) {
            owned.put(key.apply("Service").apply(o), o.getMetadata().getUid());
        }
        for (var o : ownedBy(client.configMaps().inNamespace(NS).list().getItems(), cluster)) {
            owned.put(key.apply("ConfigMap").apply(o), o.getMetadata().getUid());
        }
        assertThat(owned.keySet()).as("the cluster's own objects").anyMatch(k -> k.startsWith("Secret/"))
                .anyMatch(k -> k.startsWith("Service/")).anyMatch(k -> k.startsWith("ConfigMap/"));
        return owned;
    }

    static String exec(KubernetesClient client, String pod, String command) throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try (var watch = client.pods().inNamespace(NS).withName(pod).inContainer("manager").writingOutput(out).writingError(err)
                .exec("sh", "-c", command)) {
            int code = watch.exitCode().get(60, TimeUnit.SECONDS);
            assertThat(code).as(command + " in " + pod + ": " + err).isZero();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String execQuietly(KubernetesClient client, String pod, String command) {
        try {
            return exec(client, pod, command);
        } catch (Exception | AssertionError e) {
            return "";
        }
    }

    /** For the intermittent slow RO start: a restarted engine container's previous log says why it ended. */
    static void printEngineRestarts(KubernetesClient client) {
        List<String> lines = new ArrayList<>();
        for (Pod pod : client.pods().inNamespace(NS).list().getItems()) {
            for (var status : pod.getStatus().getContainerStatuses()) {
                if (status.getRestartCount() == null || status.getRestartCount() == 0) {
                    continue;
                }
                lines.add("== " + pod.getMetadata().getName() + " container " + status.getName() + " restarted "
                        + status.getRestartCount() + "x; last state " + status.getLastState());
                try {
                    lines.add(client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).inContainer(status.getName())
                            .terminated().getLog());
                } catch (RuntimeException e) {
                    lines.add("(no previous log: " + e + ")");
                }
            }
        }
        System.out.println(lines.isEmpty() ? "no container restarted" : String.join("\n", lines));
    }
}
