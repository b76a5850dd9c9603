package io.polarstack.orchestrator.e2e;

import static io.polarstack.orchestrator.testing.Await.await;

import io.polarstack.orchestrator.api.Annotations;
import io.polarstack.orchestrator.api.Conditions;
import io.polarstack.orchestrator.api.FlowKeys;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ManagerClient;
import io.polarstack.orchestrator.testing.LocalCluster;
import io.polarstack.orchestrator.testing.RunningCluster;
import io.polarstack.orchestrator.testing.RwWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * bench/failover: recovery time on the local cluster, 1 RW + 2 RO of PostgreSQL 15 in local mode, for each
 * spec.dataDurability in BENCH_MODES (async,required) on the same cluster in the same run: the commit time of an
 * undisturbed writer, then (a) unplanned: kill -9 of the RW's postmaster until the first INSERT the new RW accepts,
 * (b) planned: the write outage of a switchover; both seen by an independent client writing every 50 ms through the
 * RW Service, which records a key only once its commit returned. Prints median, p90, p99 and max, the time in each
 * step (from history) and the acknowledged writes lost. Runs: BENCH_RUNS (20) per mode. BENCH_AGENT: resident (the
 * default) or one-shot.
 * Not part of the test suite (no *IT/*E2E suffix); it asserts nothing about speed.
 */
@LocalCluster
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FailoverBenchmark {

    static final String NS = "bench-failover-" + System.nanoTime();
    static final int RUNS = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "20"));
    /** The dataDurability settings compared in one run, on one cluster. */
    static final List<String> MODES = List.of(
            System.getenv().getOrDefault("BENCH_MODES", "async,required").split(","));
    /**
     * The manager agent path: {@code resident} (as shipped) or {@code one-shot}, the baseline that starts the agent's
     * JVM for every manager call (orchestrator.manager.agent-command).
     */
    static final String AGENT = System.getenv().getOrDefault("BENCH_AGENT", "resident");

    static final int HEALTH_CALLS = 25;
    /** How long the writer runs undisturbed to measure commit latency. */
    static final Duration STEADY = Duration.ofSeconds(20);

    @RegisterExtension
    static final RunningCluster pg = new RunningCluster(NS);

    @Autowired
    HistoryService history;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        pg.operatorProperties(registry);
        if (AGENT.equals("one-shot")) {
            registry.add("orchestrator.manager.agent-command", () -> "env,POLARSTACK_AGENT_ONE_SHOT=1,manager-agent");
        } else if (!AGENT.equals("resident")) {
            throw new IllegalArgumentException("BENCH_AGENT is resident or one-shot, not " + AGENT);
        }
    }

    @Autowired
    ManagerClient manager;

    @Test
    void failoverAndSwitchover() throws Exception {
        pg.create(2, RunningCluster.SMALL, Duration.ofMinutes(15));
        List<String> report = new ArrayList<>();
        report.add(figures("manager health through pod exec (" + AGENT + " agent), in ms", health()));
        for (String mode : MODES) {
            report.addAll(runs(mode));
        }
        System.out.println();
        System.out.printf(
                "failover bench, %s manager agent: %d runs each per mode, writer every 50 ms through Service pg-rw,"
                        + " modes %s%n",
                AGENT, RUNS, MODES);
        report.forEach(System.out::println);
    }

    /** Round trips of the manager's health action on the RW, as a step makes them (API server, kubelet, agent). */
    List<Long> health() {
        var cluster = pg.get();
        var target = ClusterSteps.target(
                cluster, RunningCluster.instance(cluster, cluster.getStatus().getLeaderInstanceId()));
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < HEALTH_CALLS; i++) {
            long start = System.nanoTime();
            manager.health(target);
            times.add((System.nanoTime() - start) / 1_000_000);
        }
        return times.subList(HEALTH_CALLS / 5, HEALTH_CALLS); // the first fifth warms up connections and the JIT
    }

    /** The runs with spec.dataDurability {@code mode}: commit latency first, then RUNS failovers and switchovers. */
    List<String> runs(String mode) throws Exception {
        pg.durability(mode);
        pg.awaitCondition(
                Conditions.SYNCHRONOUS_REPLICATION,
                !"async".equals(mode),
                "async".equals(mode) ? "Asynchronous" : "Synchronous",
                Duration.ofSeconds(60));
        List<Long> unplanned = new ArrayList<>();
        List<Long> planned = new ArrayList<>();
        List<Long> detection = new ArrayList<>();
        List<Long> commits = new ArrayList<>();
        Map<String, List<Long>> unplannedSteps = new TreeMap<>();
        Map<String, List<Long>> plannedSteps = new TreeMap<>();
        long lostUnplanned = 0;
        long lostPlanned = 0;
        try (RwWriter writer = pg.writer()) {
            long steadyFrom = System.currentTimeMillis();
            Thread.sleep(STEADY.toMillis());
            writer.acks().stream().filter(a -> a.at() > steadyFrom).forEach(a -> commits.add(a.micros()));
            for (int run = 0; run < RUNS; run++) {
                // (a) unplanned
                String killed = pg.get().getStatus().getLeaderInstanceId();
                var net = RunningCluster.instance(pg.get(), killed).getNetInfo();
                String killedEndpoint = net.getWorkingHostIP() + ":" + net.getWorkingPort();
                int lostBefore = writer.lost().size();
                // From the moment the kill is sent (reading the postmaster's pid before it takes an exec too).
                long killAt = pg.killPostmaster(killed);
                // A backend of the killed postmaster may still finish a write in flight: count the new RW's first.
                await(
                        Duration.ofMinutes(3),
                        () -> "the first write on a new RW after kill -9 of " + killed,
                        () -> writer.acks().stream()
                                .anyMatch(a -> a.at() > killAt && !a.endpoint().equals(killedEndpoint)));
                long firstAck = writer.acks().stream()
                        .filter(a -> a.at() > killAt && !a.endpoint().equals(killedEndpoint))
                        .findFirst()
                        .orElseThrow()
                        .at();
                unplanned.add(firstAck - killAt);
                pg.awaitLeaderOtherThan(killed, "failover " + run);
                var failover = lastFailover(killAt);
                detection.add(failover.getStartTime().getTime() - killAt);
                steps(failover.getId(), unplannedSteps);
                lostUnplanned += writer.lost().size() - lostBefore;

                // (b) planned: to the first RO
                String target = RunningCluster.ros(pg.get()).get(0).getInsId();
                lostBefore = writer.lost().size();
                long switchAt = System.currentTimeMillis();
                pg.annotate(Annotations.SWITCH_RW, target);
                pg.awaitLeader(target, "switchover " + run);
                await(
                        Duration.ofSeconds(30),
                        () -> "a write after the switchover",
                        () -> writer.acksAfter(System.currentTimeMillis() - 100) > 0);
                planned.add(writer.outages(switchAt, Duration.ofMillis(0)).stream()
                        .mapToLong(RwWriter.Outage::millis)
                        .max()
                        .orElse(0));
                steps(lastFailover(switchAt).getId(), plannedSteps);
                lostPlanned += writer.lost().size() - lostBefore;
                System.out.printf(
                        "run %s %d: unplanned %d ms (detected after %d ms), planned %d ms, lost so far %d + %d%n",
                        mode,
                        run + 1,
                        unplanned.get(run),
                        detection.get(run),
                        planned.get(run),
                        lostUnplanned,
                        lostPlanned);
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add("dataDurability " + mode + ":");
        lines.add(figures("  commit (INSERT, autocommit) before the failovers, in us", commits));
        lines.add(figures("  unplanned: kill -9 -> first INSERT on the new RW", unplanned));
        lines.add(figures("    of which: kill -9 -> Failover started (detection)", detection));
        unplannedSteps.forEach((step, times) -> lines.add(figures("    step " + step, times)));
        lines.add("    acknowledged writes lost in " + RUNS + " unplanned failovers: " + lostUnplanned);
        lines.add(figures("  planned: longest gap between acknowledged writes", planned));
        plannedSteps.forEach((step, times) -> lines.add(figures("    step " + step, times)));
        lines.add("    acknowledged writes lost in " + RUNS + " switchovers: " + lostPlanned);
        return lines;
    }

    org.camunda.bpm.engine.history.HistoricProcessInstance lastFailover(long after) {
        return history.createHistoricProcessInstanceQuery()
                .processDefinitionKey(FlowKeys.FAILOVER)
                .processInstanceBusinessKey(pg.businessKey())
                .startedAfter(new Date(after - 1))
                .orderByProcessInstanceStartTime()
                .desc()
                .list()
                .get(0);
    }

    void steps(String processInstanceId, Map<String, List<Long>> into) {
        history.createHistoricActivityInstanceQuery()
                .processInstanceId(processInstanceId)
                .activityType("serviceTask")
                .list()
                .forEach(a -> into.computeIfAbsent(a.getActivityId(), k -> new ArrayList<>())
                        .add(a.getDurationInMillis() == null ? 0 : a.getDurationInMillis()));
    }

    static String figures(String what, List<Long> values) {
        if (values.isEmpty()) {
            return what + ": no values";
        }
        List<Long> sorted = values.stream().sorted().toList();
        return String.format(
                "%-58s median %6d  p90 %6d  p99 %6d  max %6d  (n=%d)",
                what,
                sorted.get((sorted.size() - 1) / 2),
                sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1),
                sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1),
                sorted.get(sorted.size() - 1),
                sorted.size());
    }
}
