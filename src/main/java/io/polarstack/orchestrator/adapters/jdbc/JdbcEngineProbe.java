package io.polarstack.orchestrator.adapters.jdbc;

import io.polarstack.orchestrator.ports.EngineProbe;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@link EngineProbe} over the PostgreSQL JDBC driver. One connection per endpoint is kept between probes (a probe
 * every second must not cost a backend start each time); after a failure it is closed and the next probe connects
 * again. Credentials go to the driver only, never into a log line or a result.
 */
@Component
public class JdbcEngineProbe implements EngineProbe {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcEngineProbe.class);
    /** How probe sessions show in pg_stat_activity. */
    public static final String APPLICATION_NAME = "polarstack-ha";
    /** How the usage query's kept sessions show in pg_stat_activity. */
    public static final String USAGE_APPLICATION_NAME = "polarstack-ha-usage";
    /**
     * Role, WAL position and timeline in one round trip (Failover chooses its candidate from these, in milliseconds).
     * The timeline as the manager agent's wal-position reads it: a primary's is that of its current WAL file; a replica's
     * that of the WAL its walreceiver last received, else that of its last restartpoint.
     */
    static final String SQL =
            "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() - '0/0'"
                    + " ELSE pg_current_wal_lsn() - '0/0' END, pg_last_wal_receive_lsn() - '0/0',"
                    + " CASE WHEN pg_is_in_recovery() THEN coalesce((SELECT nullif(received_tli, 0) FROM pg_stat_wal_receiver),"
                    + " (SELECT timeline_id FROM pg_control_checkpoint()))"
                    + " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,"
                    + " current_setting('synchronous_standby_names'),"
                    + " (SELECT string_agg(application_name, ',') FROM pg_stat_replication WHERE state = 'streaming')";
    /**
     * What the orchestrator writes into synchronous_standby_names: empty, or a quorum over slot names. ALTER SYSTEM
     * takes no bind parameters, so the value is checked against this before it goes into the statement.
     */
    static final Pattern SYNC_NAMES = Pattern.compile("|ANY [1-9] \\(\"[a-z0-9_]{1,63}\"(, \"[a-z0-9_]{1,63}\")*\\)");
    /** admin_shutdown, crash_shutdown. */
    private static final Set<String> DOWN_STATES = Set.of("57P01", "57P02");
    /** cannot_connect_now: starting up, in recovery, not yet accepting connections, or shutting down. */
    private static final String CANNOT_CONNECT_NOW = "57P03";
    /** object_not_in_prerequisite_state: pg_promote on a server that is not in recovery. */
    private static final String NOT_IN_RECOVERY = "55000";
    /** Host names and IP literals only: the host comes from the resource status and goes into a JDBC URL. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+");

    /** How long a promotion by SQL waits for the end of recovery (the manager's promote allows 120 s in all). */
    static final Duration PROMOTE_WAIT = Duration.ofSeconds(60);

    private final Map<Endpoint, Kept> kept = new ConcurrentHashMap<>();

    private static final class Kept {
        Connection connection;
        Credentials credentials;
        boolean released;
        /** The usage query's own connection to the same endpoint, kept and released with this one. */
        Kept usage;
    }

    @Override
    public Result probe(Endpoint endpoint, Credentials credentials, Duration timeout) {
        return valid(endpoint)
                ? probe(kept.computeIfAbsent(endpoint, e -> new Kept()), endpoint, credentials, timeout)
                : invalid(endpoint);
    }

    @Override
    public Result probeOnce(Endpoint endpoint, Credentials credentials, Duration timeout) {
        return valid(endpoint) ? probe(oneShot(), endpoint, credentials, timeout) : invalid(endpoint);
    }

    /** A slot in no map, released from the start: its connection is closed before the call returns. */
    private static Kept oneShot() {
        Kept slot = new Kept();
        slot.released = true;
        return slot;
    }

    private static boolean valid(Endpoint endpoint) {
        return HOST.matcher(endpoint.host()).matches() && endpoint.port() > 0 && endpoint.port() <= 65535;
    }

    private static Result invalid(Endpoint endpoint) {
        return new Result(Outcome.ERROR, Duration.ZERO, false, "not a host and port: " + endpoint);
    }

    private Result probe(Kept slot, Endpoint endpoint, Credentials credentials, Duration timeout) {
        long start = System.nanoTime();
        synchronized (slot) {
            boolean reused = slot.connection != null && credentials.equals(slot.credentials);
            Result result = attempt(slot, endpoint, credentials, timeout);
            if (reused && result.outcome() != Outcome.OK && result.outcome() != Outcome.TIMEOUT) {
                // A kept connection fails at once when the server restarted since the last probe; only a fresh
                // connection says whether the engine is down now.
                result = attempt(slot, endpoint, credentials, timeout);
            }
            if (slot.released) {
                closeQuietly(slot);
            }
            return new Result(
                    result.outcome(),
                    Duration.ofNanos(System.nanoTime() - start),
                    result.inRecovery(),
                    result.detail(),
                    result.wal(),
                    result.replication());
        }
    }

    private Result attempt(Kept slot, Endpoint endpoint, Credentials credentials, Duration timeout) {
        long start = System.nanoTime();
        try {
            ready(slot, endpoint, credentials, timeout);
            try (Statement statement = slot.connection.createStatement();
                    ResultSet rows = statement.executeQuery(SQL)) {
                rows.next();
                boolean inRecovery = rows.getBoolean(1);
                var replayed = (Number) rows.getObject(2);
                var received = (Number) rows.getObject(3);
                String streaming = rows.getString(6);
                return new Result(
                        Outcome.OK,
                        Duration.ZERO,
                        inRecovery,
                        "",
                        new Wal(
                                rows.getLong(4),
                                replayed == null ? 0 : replayed.longValue(),
                                inRecovery && received != null ? received.longValue() : null),
                        new Replication(
                                rows.getString(5), streaming == null ? List.of() : List.of(streaming.split(","))));
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(slot);
            Outcome outcome = classify(e, Duration.ofNanos(System.nanoTime() - start), timeout);
            String detail = detail(e, credentials);
            LOG.debug("probe of {}: {} {}", endpoint, outcome, detail);
            return new Result(outcome, Duration.ZERO, false, detail);
        }
    }

    /** The kept connection, opened (again) when there is none or the credentials changed, bounded by the timeout. */
    private static void ready(Kept slot, Endpoint endpoint, Credentials credentials, Duration timeout)
            throws SQLException {
        ready(slot, endpoint, credentials, timeout, APPLICATION_NAME);
    }

    private static void ready(
            Kept slot, Endpoint endpoint, Credentials credentials, Duration timeout, String applicationName)
            throws SQLException {
        if (slot.connection == null || !credentials.equals(slot.credentials)) {
            closeQuietly(slot);
            slot.connection = connect(endpoint, credentials, timeout, applicationName);
            slot.credentials = credentials;
        }
        // Bounds the round trip on a kept connection to the millisecond (socketTimeout is whole seconds).
        slot.connection.setNetworkTimeout(Runnable::run, (int) Math.max(1, timeout.toMillis()));
    }

    private static Connection connect(
            Endpoint endpoint, Credentials credentials, Duration timeout, String applicationName) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", credentials.user());
        properties.setProperty("password", credentials.password());
        String seconds = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
        properties.setProperty("connectTimeout", seconds);
        properties.setProperty("socketTimeout", seconds);
        properties.setProperty(
                "loginTimeout", Double.toString(timeout.toMillis() / 1000.0)); // the whole login, fractional
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        String host = endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host();
        return DriverManager.getConnection(
                "jdbc:postgresql://" + host + ":" + endpoint.port() + "/postgres", properties);
    }

    /** REFUSED, STARTING, DENIED, TIMEOUT or ERROR for a failed attempt that took {@code took}. */
    static Outcome classify(Throwable failure, Duration took, Duration timeout) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && DOWN_STATES.contains(sql.getSQLState())) {
                return Outcome.REFUSED;
            }
            if (t instanceof SQLException sql && CANNOT_CONNECT_NOW.equals(sql.getSQLState())) {
                return serverMessage(sql).contains("shutting down") ? Outcome.REFUSED : Outcome.STARTING;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("28")) {
                return Outcome.DENIED;
            }
            if (t instanceof ConnectException) {
                return Outcome.REFUSED;
            }
            if (t instanceof SocketTimeoutException) {
                return Outcome.TIMEOUT;
            }
        }
        // The driver's login timeout says "Connection attempt timed out." with no cause: time tells.
        return took.compareTo(timeout) >= 0 ? Outcome.TIMEOUT : Outcome.ERROR;
    }

    /** The server's own message, without the severity and detail lines the driver adds to getMessage(). */
    private static String serverMessage(SQLException failure) {
        String message = failure instanceof PSQLException psql && psql.getServerErrorMessage() != null
                ? psql.getServerErrorMessage().getMessage()
                : failure.getMessage();
        return message == null ? "" : message;
    }

    static String detail(Throwable failure, Credentials credentials) {
        String state =
                failure instanceof SQLException sql && sql.getSQLState() != null ? "[" + sql.getSQLState() + "] " : "";
        String text =
                state + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
        if (credentials.password() != null && !credentials.password().isEmpty()) {
            text = text.replace(credentials.password(), "***");
        }
        text = text.replaceAll("\\s+", " ").trim();
        int sentence = text.indexOf(". ");
        if (sentence > 0) {
            text = text.substring(0, sentence + 1); // the driver's advice after the first sentence is noise in events
        }
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    @Override
    public void setSynchronousStandbyNames(Endpoint endpoint, Credentials credentials, String value, Duration timeout) {
        Kept slot = kept.computeIfAbsent(endpoint, e -> new Kept());
        if (!SYNC_NAMES.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "not a synchronous_standby_names value the orchestrator writes: " + value);
        }
        synchronized (slot) {
            try {
                ready(slot, endpoint, credentials, timeout);
                try (Statement statement = slot.connection.createStatement()) {
                    statement.execute("ALTER SYSTEM SET synchronous_standby_names = '" + value + "'");
                    statement.execute("SELECT pg_reload_conf()");
                }
            } catch (SQLException e) {
                closeQuietly(slot);
                throw new IllegalStateException(
                        "cannot set synchronous_standby_names on " + endpoint + ": " + detail(e, credentials), e);
            } finally {
                if (slot.released) {
                    closeQuietly(slot);
                }
            }
        }
    }

    @Override
    public Promotion promote(
            Endpoint endpoint, Credentials credentials, String synchronousStandbyNames, Duration timeout) {
        if (!valid(endpoint)) {
            throw new IllegalArgumentException("not an engine endpoint: " + endpoint);
        }
        if (synchronousStandbyNames != null
                && !SYNC_NAMES.matcher(synchronousStandbyNames).matches()) {
            throw new IllegalArgumentException(
                    "not a synchronous_standby_names value the orchestrator writes: " + synchronousStandbyNames);
        }
        Kept watched = kept.get(endpoint);
        Kept slot = watched != null ? watched : oneShot();
        synchronized (slot) {
            try {
                try {
                    ready(slot, endpoint, credentials, timeout);
                } catch (SQLException e) {
                    closeQuietly(slot);
                    throw new Unreachable("cannot reach " + endpoint + " to promote it: " + detail(e, credentials), e);
                }
                try {
                    return promote(slot.connection, endpoint, synchronousStandbyNames);
                } catch (SQLException e) {
                    closeQuietly(slot);
                    throw new IllegalStateException(
                            "cannot promote " + endpoint + " by SQL: " + detail(e, credentials), e);
                }
            } finally {
                if (slot.released) {
                    closeQuietly(slot);
                }
            }
        }
    }

    private static Promotion promote(Connection connection, Endpoint endpoint, String synchronousStandbyNames)
            throws SQLException {
        // pg_promote waits on the server (a second at a time, below): the session is quiet that long.
        connection.setNetworkTimeout(Runnable::run, 6000);
        try (Statement statement = connection.createStatement()) {
            boolean supported;
            boolean inRecovery;
            String current;
            try (ResultSet rows = statement.executeQuery("SELECT current_setting('server_version_num')::int >= 120000,"
                    + " pg_is_in_recovery(), current_setting('synchronous_standby_names')")) {
                rows.next();
                supported = rows.getBoolean(1);
                inRecovery = rows.getBoolean(2);
                current = rows.getString(3);
            }
            // Usually set already (with dataDurability required the HA monitor keeps every RO's value as the RW's): a
            // reload right before the promotion can cost it the startup process's wake-up, see below.
            if (synchronousStandbyNames != null && !synchronousStandbyNames.equals(current)) {
                statement.execute("ALTER SYSTEM SET synchronous_standby_names = '" + synchronousStandbyNames + "'");
                statement.execute("SELECT pg_reload_conf()");
            }
            if (!supported) {
                return Promotion.UNSUPPORTED;
            }
            if (!inRecovery) {
                return Promotion.ALREADY_PRIMARY;
            }
        }
        // A startup process that was reloading its settings when the signal came may sleep out
        // wal_retrieve_retry_interval (5 s) before it sees it; each call signals again, so that costs a second at most.
        long deadline = System.nanoTime() + PROMOTE_WAIT.toNanos();
        try (var promote = connection.prepareStatement("SELECT pg_promote(true, 1)")) {
            while (true) {
                try (ResultSet rows = promote.executeQuery()) {
                    rows.next();
                    if (rows.getBoolean(1)) {
                        return Promotion.PROMOTED;
                    }
                } catch (SQLException e) {
                    if (NOT_IN_RECOVERY.equals(e.getSQLState())) {
                        return Promotion.PROMOTED; // it left recovery between two calls
                    }
                    throw e;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(endpoint + " was told to promote but did not leave recovery within "
                            + PROMOTE_WAIT.toSeconds() + " s; see its log");
                }
            }
        }
    }

    /** One statement: the size of every database and of pg_wal, both read from the file system by the engine. */
    static final String DATA_BYTES = "SELECT (SELECT sum(pg_database_size(oid)) FROM pg_database)::bigint"
            + " + (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::bigint";

    /**
     * On a connection of its own, never the probe's, so a slow answer never holds up a probe; kept while the endpoint's
     * probe connection is (a SCRAM login costs the orchestrator more CPU than the query: at 3000 instances measured every
     * 30 s, logins took most of a core), else closed before it returns.
     */
    @Override
    public long dataBytes(Endpoint endpoint, Credentials credentials, Duration timeout) {
        if (!valid(endpoint)) {
            throw new IllegalArgumentException("not an engine endpoint: " + endpoint);
        }
        Kept slot = usageSlot(endpoint);
        synchronized (slot) {
            try {
                ready(slot, endpoint, credentials, timeout, USAGE_APPLICATION_NAME);
                try (Statement statement = slot.connection.createStatement();
                        var rows = statement.executeQuery(DATA_BYTES)) {
                    rows.next();
                    return rows.getLong(1);
                }
            } catch (SQLException e) {
                closeQuietly(slot);
                throw new IllegalStateException(
                        "cannot measure the data usage of " + endpoint + ": " + detail(e, credentials), e);
            } finally {
                if (slot.released) {
                    closeQuietly(slot);
                }
            }
        }
    }

    /** The usage slot of a probed endpoint (waits for a probe under way on it), else a one-shot one. */
    private Kept usageSlot(Endpoint endpoint) {
        Kept probed = kept.get(endpoint);
        if (probed != null) {
            synchronized (probed) {
                if (!probed.released) {
                    if (probed.usage == null) {
                        probed.usage = new Kept();
                    }
                    return probed.usage;
                }
            }
        }
        return oneShot();
    }

    @Override
    public Settings settingsOnce(
            Endpoint endpoint, Credentials credentials, java.util.Collection<String> names, Duration timeout) {
        if (!valid(endpoint)) {
            throw new IllegalArgumentException("not a host and port: " + endpoint);
        }
        Kept slot = oneShot();
        try {
            ready(slot, endpoint, credentials, timeout);
            Map<String, Setting> settings = new java.util.TreeMap<>();
            try (var statement = slot.connection.prepareStatement(
                    "SELECT name, context, setting, unit, vartype, pending_restart FROM pg_settings"
                            + " WHERE name = ANY (?)")) {
                statement.setArray(
                        1,
                        slot.connection.createArrayOf(
                                "text",
                                names.stream()
                                        .map(n -> n.toLowerCase(java.util.Locale.ROOT))
                                        .toArray()));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        settings.put(
                                rows.getString(1),
                                new Setting(
                                        rows.getString(2),
                                        rows.getString(3),
                                        rows.getString(4),
                                        rows.getString(5),
                                        rows.getBoolean(6)));
                    }
                }
            }
            try (Statement statement = slot.connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT pg_postmaster_start_time()")) {
                rows.next();
                return new Settings(rows.getTimestamp(1).toInstant(), settings);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read pg_settings on " + endpoint + ": " + detail(e, credentials), e);
        } finally {
            closeQuietly(slot);
        }
    }

    @Override
    public void release(Endpoint endpoint) {
        Kept slot = kept.remove(endpoint);
        if (slot != null) {
            Kept usage;
            synchronized (slot) {
                slot.released = true;
                closeQuietly(slot);
                usage = slot.usage;
            }
            if (usage != null) {
                synchronized (usage) { // after a usage query under way
                    usage.released = true;
                    closeQuietly(usage);
                }
            }
        }
    }

    @Override
    public void close() {
        kept.keySet().forEach(this::release);
    }

    private static void closeQuietly(Kept slot) {
        if (slot.connection != null) {
            try {
                slot.connection.close();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("closing a probe connection: {}", e.toString());
            }
            slot.connection = null;
            slot.credentials = null;
        }
    }
}
