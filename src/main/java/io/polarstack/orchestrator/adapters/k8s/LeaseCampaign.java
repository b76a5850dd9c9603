package io.polarstack.orchestrator.adapters.k8s;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Competes for a Lease until closed. A fabric8 elector that loses its Lease ends for good (it cannot be started again),
 * so when one ends another is built from the same config: the replica competes again and leads again when it wins.
 */
final class LeaseCampaign implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseCampaign.class);

    static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    static final Duration RENEW_DEADLINE = Duration.ofSeconds(8);
    static final Duration RETRY_PERIOD = Duration.ofSeconds(2);
    /** One Lease read or write; a healthy API server answers in milliseconds. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final LeaderElectionConfig config;
    private final String lease;
    private volatile boolean closed;
    private volatile CompletableFuture<?> election;

    private LeaseCampaign(KubernetesClient client, LeaderElectionConfig config, String lease) {
        this.client = client;
        this.config = config;
        this.lease = lease;
    }

    static LeaseCampaign start(
            KubernetesClient shared,
            String namespace,
            String name,
            String identity,
            Runnable started,
            Runnable stopped,
            Consumer<String> holder) {
        // A client of its own whose calls give up after a second and are not retried: against a hung API server the
        // elector stops at the renew deadline, plus up to a retry period for its next check, plus the read before
        // onStopLeading: about 11 s after the last renewal, inside the 15 s after which another replica may take the
        // Lease. With the shared client's 10 s request timeout and request retries it stopped after the Lease expired.
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(shared.getConfiguration())
                        .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
                        .withConnectionTimeout((int) REQUEST_TIMEOUT.toMillis())
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
        var config = new LeaderElectionConfigBuilder()
                .withName(name)
                .withLock(new LeaseLock(namespace, name, identity))
                .withLeaseDuration(LEASE_DURATION)
                .withRenewDeadline(RENEW_DEADLINE)
                .withRetryPeriod(RETRY_PERIOD)
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(started, stopped, leader -> {
                    LOG.info("Lease {}/{} is held by {}", namespace, name, leader);
                    holder.accept(leader);
                }))
                .build();
        var campaign = new LeaseCampaign(client, config, namespace + "/" + name);
        campaign.next();
        return campaign;
    }

    private synchronized void next() {
        if (closed) {
            return;
        }
        try {
            election = client.leaderElector().withConfig(config).build().start();
            election.whenComplete((v, failure) -> {
                if (!closed) {
                    LOG.info(
                            "Lease {}: election ended ({}); competing again",
                            lease,
                            failure == null ? "leadership lost" : failure.toString());
                    again();
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Lease {}: cannot start an election: {}; trying again", lease, e.toString());
            again();
        }
    }

    /** After a retry period, off the elector's thread. */
    private void again() {
        CompletableFuture.runAsync(
                this::next, CompletableFuture.delayedExecutor(RETRY_PERIOD.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Gives the Lease up (released when held, so another replica takes over at once) and stops competing. */
    @Override
    public void close() {
        CompletableFuture<?> current;
        synchronized (this) {
            closed = true;
            current = election;
        }
        if (current != null) {
            current.cancel(true);
        }
        client.close();
    }
}
