package io.polarstack.orchestrator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An independent client that writes one row every {@code period} through a cluster's RW Service: it resolves
 * the Service's ready endpoint (what a Service address does; the local cluster runs no kube-proxy) on every
 * reconnect. It keeps every acknowledged write, so outages and lost writes can be measured afterwards.
 */
public final class RwWriter implements AutoCloseable {

    /**
     * One acknowledged write: its id, when the commit returned (epoch millis), the endpoint that took it and how long
     * the INSERT (an autocommit, so its commit) took, in microseconds.
     */
    public record Ack(long id, long at, String endpoint, long micros) {}

    /** A stretch without acknowledged writes: from the last ack before it to the first after it. */
    public record Outage(long from, long to) {
        public long millis() {
            return to - from;
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final Properties credentials = new Properties();
    private final Duration period;
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private volatile String endpoint = "";
    private long first = 1;
    private final Thread thread;

    public RwWriter(
            KubernetesClient client, String namespace, String service, String user, String password, Duration period) {
        this.client = client;
        this.namespace = namespace;
        this.service = service;
        this.period = period;
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        credentials.setProperty("connectTimeout", "1");
        credentials.setProperty("socketTimeout", "2");
        thread = new Thread(this::run, "rw-writer-" + service);
        thread.setDaemon(true);
    }

    /**
     * Creates the table on the current RW and starts writing, after the ids an earlier writer on the same cluster
     * used.
     */
    public RwWriter start() throws SQLException {
        try (Connection c = connect();
                var st = c.createStatement()) {
            st.execute(
                    "create table if not exists rw_writer (id bigint primary key, at timestamptz not null default now())");
            try (var rows = st.executeQuery("select coalesce(max(id), 0) from rw_writer")) {
                rows.next();
                first = rows.getLong(1) + 1;
            }
        }
        thread.start();
        return this;
    }

    private void run() {
        long next = first;
        Connection connection = null;
        while (running) {
            long started = System.currentTimeMillis();
            try {
                if (connection == null) {
                    connection = connect();
                }
                long sent;
                try (var insert = connection.prepareStatement("insert into rw_writer(id) values (?)")) {
                    insert.setLong(1, next);
                    sent = System.nanoTime();
                    insert.executeUpdate();
                }
                acks.add(new Ack(next, System.currentTimeMillis(), endpoint, (System.nanoTime() - sent) / 1000));
            } catch (SQLException | RuntimeException e) {
                close(connection);
                connection = null;
            }
            next++; // an unacknowledged id is never reused: it may or may not have been written
            long sleep = period.toMillis() - (System.currentTimeMillis() - started);
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        close(connection);
    }

    /**
     * A connection to the RW Service's ready endpoint now, resolved as the endpoints controller does: the Service's
     * selector, its Ready pods, their named target port. (The local cluster's nodes have loopback addresses, which
     * the API server refuses in Endpoints objects, so the controller cannot publish them.)
     */
    public Connection connect() throws SQLException {
        var svc = client.services().inNamespace(namespace).withName(service).get();
        if (svc == null) {
            throw new SQLException("Service " + namespace + "/" + service + " does not exist");
        }
        var targetPort = svc.getSpec().getPorts().get(0).getTargetPort();
        var pod =
                client.pods().inNamespace(namespace).withLabels(svc.getSpec().getSelector()).list().getItems().stream()
                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null
                                && p.getStatus() != null
                                && p.getStatus().getConditions() != null
                                && p.getStatus().getConditions().stream()
                                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                        .findFirst()
                        .orElseThrow(() ->
                                new SQLException("Service " + namespace + "/" + service + " has no ready endpoint"));
        int port = targetPort.getIntVal() != null
                ? targetPort.getIntVal()
                : pod.getSpec().getContainers().stream()
                        .flatMap(c -> c.getPorts().stream())
                        .filter(p -> targetPort.getStrVal().equals(p.getName()))
                        .findFirst()
                        .orElseThrow(() -> new SQLException("no port " + targetPort.getStrVal() + " on pod "
                                + pod.getMetadata().getName()))
                        .getContainerPort();
        endpoint = pod.getStatus().getPodIP() + ":" + port;
        return DriverManager.getConnection("jdbc:postgresql://" + endpoint + "/postgres", credentials);
    }

    public String endpoint() {
        return endpoint;
    }

    public List<Ack> acks() {
        return List.copyOf(acks);
    }

    public long acksAfter(long epochMillis) {
        return acks.stream().filter(a -> a.at() > epochMillis).count();
    }

    /** Gaps between consecutive acknowledged writes longer than {@code threshold}, after {@code since}. */
    public List<Outage> outages(long since, Duration threshold) {
        List<Outage> outages = new ArrayList<>();
        Ack previous = null;
        for (Ack ack : acks) {
            if (previous != null && ack.at() >= since && ack.at() - previous.at() > threshold.toMillis()) {
                outages.add(new Outage(previous.at(), ack.at()));
            }
            previous = ack;
        }
        return outages;
    }

    /** Acknowledged ids missing from the table as the current RW sees it. */
    public List<Long> lost() throws SQLException {
        // The acks before the read: a write acknowledged after the select's snapshot is not missing from it.
        List<Ack> acknowledged = List.copyOf(acks);
        Set<Long> present = new HashSet<>();
        try (Connection c = connect();
                var st = c.createStatement();
                var rows = st.executeQuery("select id from rw_writer")) {
            while (rows.next()) {
                present.add(rows.getLong(1));
            }
        }
        return acknowledged.stream()
                .map(Ack::id)
                .filter(id -> !present.contains(id))
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is already broken
            }
        }
    }
}
