package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;
import static io.polarstack.orchestrator.testing.RunningCluster.describe;
import static io.polarstack.orchestrator.testing.RunningCluster.instance;
import static io.polarstack.orchestrator.testing.RunningCluster.notInterrupted;
import static io.polarstack.orchestrator.testing.RunningCluster.ros;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.InstanceRole;
import io.polarstack.orchestrator.api.InstanceStatus;
import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.OrchestratorProcess;
import io.polarstack.orchestrator.testing.RunningCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
    static final Path WORK = Path.of("target/restart-e2e", NS);
    static final Pattern INSTALLED = Pattern.compile("install succeeded in \\d+ ms: \\{[^}]*skipped=false");

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    static Process orchestrator;

    @AfterAll
    static void tearDown(KubernetesClient client) throws Exception {
        printEngineRestarts(client);
        if (orchestrator != null && orchestrator.isAlive()) {
            pg.drop(); // a failed test left the cluster: delete it while an orchestrator still runs DeleteCluster
        }
        OrchestratorProcess.stop(orchestrator);
    }

    @Test
    void killedMidCreateAndRestartedItFinishesWithNothingTwice(KubernetesClient client) throws Exception {
        orchestrator = OrchestratorProcess.start(NS, WORK, 1);
        pg.submit(2, RunningCluster.MEDIUM);

        // Mid-create: the RW is installed and the first RO's install step runs.
        long started = System.nanoTime();
        await(Duration.ofMinutes(8), () -> "the first RO's Task_InstallInstance; last: " + describe(pg.get()), () -> {
            assertThat(orchestrator.isAlive())
                    .as("orchestrator process (log in " + WORK + ")")
                    .isTrue();
            var c = pg.get();
            notInterrupted(c);
            return c != null
                    && c.getStatus() != null
                    && c.getStatus().getFlow() != null
                    && "Task_InstallInstance".equals(c.getStatus().getFlow().getStep())
                    && c.getStatus().getDbInstanceStatus().values().stream()
                                    .filter(i -> Boolean.TRUE.equals(i.getInstalled()))
                                    .count()
                            == 1;
        });
        // Kill while the manager agent works for that step (install or start), not before it was asked.
        String firstRo = pg.get().getStatus().getDbInstanceStatus().values().stream()
                .filter(i -> InstanceRole.ro(i)
                        && client.pods()
                                        .inNamespace(NS)
                                        .withName(i.getPodName())
                                        .get()
                                != null)
                .findFirst()
                .orElseThrow()
                .getPodName();
        await(
                Duration.ofMinutes(2),
                () -> "an install request in " + firstRo + "'s /log/manager.log",
                () -> execQuietly(client, firstRo, "cat /log/manager.log 2>/dev/null")
                        .contains("install request"));
        var before = pg.get();
        Map<String, String> podsBefore =
                uids(client.pods().inNamespace(NS).list().getItems());
        Map<String, String> ownedBefore = owned(client, before);
        System.out.printf(
                "mid-create after %d s: pods %s; %s's agent log:%n%s%n",
                (System.nanoTime() - started) / 1_000_000_000,
                podsBefore.keySet(),
                firstRo,
                execQuietly(client, firstRo, "grep -h 'request\\|succeeded\\|failed' /log/manager.log"));

        long pid = orchestrator.pid();
        OrchestratorProcess.kill(orchestrator);
        assertThat(orchestrator.exitValue())
                .as("exit status of pid " + pid + " killed by SIGKILL")
                .isEqualTo(137);
        int lockedAtKill = lockedSteps();

        long restarted = System.nanoTime();
        orchestrator = OrchestratorProcess.start(NS, WORK, 2);
        var running = pg.awaitDone(Duration.ofMinutes(8), "Running after the restart", c -> {
            assertThat(orchestrator.isAlive())
                    .as("restarted orchestrator process")
                    .isTrue();
            return true;
        });
        System.out.printf("Running %d s after the restart%n", (System.nanoTime() - restarted) / 1_000_000_000);
        printEngineRestarts(client);
        assertReleased(lockedAtKill, 2);

        assertThat(running.getStatus().getLogicId())
                .isEqualTo(before.getStatus().getLogicId());
        assertThat(running.getStatus().getDbInstanceStatus())
                .as("the instance ids reserved before the kill")
                .containsOnlyKeys(before.getStatus().getDbInstanceStatus().keySet());
        assertThat(running.getStatus().getLeaderInstanceId())
                .isEqualTo(before.getStatus().getLeaderInstanceId());
        running.getStatus().getDbInstanceStatus().forEach((id, instance) -> {
            var was = before.getStatus().getDbInstanceStatus().get(id);
            assertThat(instance.getPhysicalInsId()).as(id).isEqualTo(was.getPhysicalInsId());
            assertThat(instance.getPodName()).as(id).isEqualTo(was.getPodName());
            assertThat(instance.getNetInfo().getWorkingPort())
                    .as(id)
                    .isEqualTo(was.getNetInfo().getWorkingPort());
        });
        assertThat(running.getStatus().getDbInstanceStatus().values())
                .extracting(InstanceStatus::getNodeName)
                .as("one instance per node")
                .doesNotHaveDuplicates()
                .hasSize(3);

        Map<String, String> podsAfter =
                uids(client.pods().inNamespace(NS).list().getItems());
        assertThat(podsAfter)
                .as("exactly the three instance pods")
                .containsOnlyKeys(running.getStatus().getDbInstanceStatus().values().stream()
                        .map(InstanceStatus::getPodName)
                        .toList());
        assertThat(podsAfter)
                .as("pods that existed before the kill were kept, not made again")
                .containsAllEntriesOf(podsBefore);
        assertThat(owned(client, running))
                .as("Secrets, Services and ConfigMaps: the ones made before the kill, none again")
                .isEqualTo(ownedBefore);

        for (InstanceStatus instance : running.getStatus().getDbInstanceStatus().values()) {
            String log = exec(client, instance.getPodName(), "cat /log/manager.log*");
            System.out.printf(
                    "%s's agent log:%n%s%n",
                    instance.getPodName(),
                    log.lines()
                            .filter(l -> l.contains(" request ")
                                    || l.contains("succeeded")
                                    || l.contains("failed")
                                    || l.contains("waiting"))
                            .map(l -> l.length() > 220 ? l.substring(0, 220) : l)
                            .collect(java.util.stream.Collectors.joining("\n")));
            assertThat(INSTALLED.matcher(log).results().count())
                    .as("installs that did the work on " + instance.getPodName())
                    .isEqualTo(1);
        }

        pg.assertReplicates(running, "after the restart", Duration.ofSeconds(60));

        // Killed mid-failover: a planned switchover, the orchestrator killed while the RO is being promoted.
        String candidate = ros(running).get(0).getInsId();
        String candidatePod = instance(running, candidate).getPodName();
        pg.annotate(Annotations.SWITCH_RW, candidate);
        // Promotion is one SQL call of about 100 ms, too short for the status to show it: the engine logs the
        // request it received, and the flow still has its role move, repointing and rejoin ahead of it.
        await(
                Duration.ofMinutes(3),
                () -> "a promote request in " + candidatePod + "'s engine log; last: " + describe(pg.get()),
                () -> engineLog(client, candidatePod).contains("received promote request"));
        OrchestratorProcess.kill(orchestrator);
        int lockedAtSecondKill = lockedSteps();
        orchestrator = OrchestratorProcess.start(NS, WORK, 3);
        var switched = pg.awaitLeader(candidate, "the switchover finished by the restarted orchestrator");
        int primaries = 0;
        for (InstanceStatus instance :
                switched.getStatus().getDbInstanceStatus().values()) {
            try (var c = pg.connect(instance);
                    var st = c.createStatement();
                    var rows = st.executeQuery("select pg_is_in_recovery()")) {
                rows.next();
                primaries += rows.getBoolean(1) ? 0 : 1;
            }
        }
        try (var c = pg.connect(instance(switched, candidate));
                var st = c.createStatement();
                var rows = st.executeQuery(
                        "select pg_is_in_recovery(), ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))"
                                + "::bit(32)::int")) {
            rows.next();
            assertThat(rows.getBoolean(1)).as("the new RW is no replica").isFalse();
            assertThat(rows.getInt(2))
                    .as("exactly one promotion: timeline 1 became 2")
                    .isEqualTo(2);
        }
        assertThat(primaries).as("exactly one primary").isEqualTo(1);
        assertReleased(lockedAtSecondKill, 3);
        assertThat(instance(switched, before.getStatus().getLeaderInstanceId()).getInsType())
                .as("the old RW rejoined as an RO")
                .isEqualTo(InstanceRole.RO);

        pg.deleteAndAwaitGone();
        await(
                Duration.ofMinutes(2),
                () -> "its pods, Secrets, Services and ConfigMaps garbage-collected",
                () -> client.pods().inNamespace(NS).list().getItems().isEmpty()
                        && client.services().inNamespace(NS).list().getItems().isEmpty()
                        && ownedBy(client.secrets().inNamespace(NS).list().getItems(), running)
                                .isEmpty()
                        && ownedBy(client.configMaps().inNamespace(NS).list().getItems(), running)
                                .isEmpty());
    }

    /**
     * The steps the killed replica held a job lock on, read from its engine database (H2 opens the file once the
     * process is gone). Install and start are polled, so a kill may fall between two polls with nothing locked.
     */
    static int lockedSteps() throws SQLException {
        String url = "jdbc:h2:file:" + WORK.resolve("data/engine").toAbsolutePath() + ";IFEXISTS=TRUE";
        try (var db = DriverManager.getConnection(url, "sa", "");
                var query = db.prepareStatement("select count(*) from ACT_RU_JOB where LOCK_OWNER_ = ?")) {
            query.setString(1, OrchestratorProcess.IDENTITY);
            try (var rows = query.executeQuery()) {
                rows.next();
                System.out.printf("steps locked by the killed replica: %d%n", rows.getInt(1));
                return rows.getInt(1);
            }
        }
    }

    /** The restarted replica released exactly the locks its killed run left, instead of waiting them out. */
    static void assertReleased(int locked, int run) throws IOException {
        String log = Files.readString(WORK.resolve("orchestrator-" + run + ".log"));
        if (locked == 0) {
            assertThat(log).as("nothing was locked at the kill").doesNotContain("had locked before it stopped");
        } else {
            assertThat(log)
                    .as("the restarted replica released the steps it had locked, instead of waiting out the lock")
                    .containsPattern("released " + locked + " step\\(s\\) that this replica \\("
                            + OrchestratorProcess.IDENTITY + "\\) had locked");
        }
    }

    static Map<String, String> uids(List<? extends HasMetadata> objects) {
        Map<String, String> uids = new TreeMap<>();
        objects.forEach(o -> uids.put(o.getMetadata().getName(), o.getMetadata().getUid()));
        return uids;
    }

    static <T extends HasMetadata> List<T> ownedBy(List<T> objects, MPDCluster cluster) {
        return objects.stream()
                .filter(o -> o.getMetadata().getOwnerReferences() != null
                        && o.getMetadata().getOwnerReferences().stream()
                                .anyMatch(r ->
                                        r.getUid().equals(cluster.getMetadata().getUid())))
                .toList();
    }

    /** kind/name to uid of the Secrets, Services and ConfigMaps the cluster owns. */
    static Map<String, String> owned(KubernetesClient client, MPDCluster cluster) {
        Map<String, String> owned = new TreeMap<>();
        Function<String, Function<HasMetadata, String>> key =
                kind -> o -> kind + "/" + o.getMetadata().getName();
        for (var o : ownedBy(client.secrets().inNamespace(NS).list().getItems(), cluster)) {
            owned.put(key.apply("Secret").apply(o), o.getMetadata().getUid());
        }
        for (var o : ownedBy(client.services().inNamespace(NS).list().getItems(), cluster)) {
            owned.put(key.apply("Service").apply(o), o.getMetadata().getUid());
        }
        for (var o : ownedBy(client.configMaps().inNamespace(NS).list().getItems(), cluster)) {
            owned.put(key.apply("ConfigMap").apply(o), o.getMetadata().getUid());
        }
        assertThat(owned.keySet())
                .as("the cluster's own objects")
                .anyMatch(k -> k.startsWith("Secret/"))
                .anyMatch(k -> k.startsWith("Service/"))
                .anyMatch(k -> k.startsWith("ConfigMap/"));
        return owned;
    }

    static String exec(KubernetesClient client, String pod, String command) throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try (var watch = client.pods()
                .inNamespace(NS)
                .withName(pod)
                .inContainer("manager")
                .writingOutput(out)
                .writingError(err)
                .exec("sh", "-c", command)) {
            int code = watch.exitCode().get(60, TimeUnit.SECONDS);
            assertThat(code).as(command + " in " + pod + ": " + err).isZero();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The engine container's log (PostgreSQL logs to stderr there); empty while it cannot be read. */
    static String engineLog(KubernetesClient client, String pod) {
        try {
            return client.pods()
                    .inNamespace(NS)
                    .withName(pod)
                    .inContainer("engine")
                    .getLog();
        } catch (RuntimeException e) {
            return "";
        }
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
                    lines.add(client.pods()
                            .inNamespace(NS)
                            .withName(pod.getMetadata().getName())
                            .inContainer(status.getName())
                            .terminated()
                            .getLog());
                } catch (RuntimeException e) {
                    lines.add("(no previous log: " + e + ")");
                }
            }
        }
        System.out.println(lines.isEmpty() ? "no container restarted" : String.join("\n", lines));
    }
}
