package io.polarstack.orchestrator.ports;

import java.time.Duration;

/**
 * Is a database engine alive, and in which role? One short SQL round trip, bounded by a timeout, on a
 * connection the adapter keeps for the next probe of the same endpoint (the HA monitor's, which releases it), or on
 * one closed at once ({@code ...Once}, everyone else).
 */
public interface EngineProbe extends AutoCloseable {

    /** Never throws for an engine problem: every failure is an outcome. */
    Result probe(Endpoint endpoint, Credentials credentials, Duration timeout);

    /**
     * Sets {@code synchronous_standby_names} to {@code value} (ALTER SYSTEM, then a reload), on the kept connection.
     * Throws when the engine does not take it.
     */
    void setSynchronousStandbyNames(Endpoint endpoint, Credentials credentials, String value, Duration timeout);

    /**
     * {@link #probe}, on a connection of its own that is closed before it returns: for one-off callers (a flow's step,
     * the REST API), so a replica keeps no connection for an engine it probed once.
     */
    Result probeOnce(Endpoint endpoint, Credentials credentials, Duration timeout);

    /**
     * Promotes a replica by SQL ({@code pg_promote(wait => true)}), which signals its startup process as
     * {@code pg_ctl promote} does, and waits until it left recovery. When {@code synchronousStandbyNames} is not
     * null it is set first ({@link #setSynchronousStandbyNames}) on the same session. Runs on the connection this
     * replica keeps for the endpoint (the HA monitor's, already open) if there is one, else on one of its own.
     *
     * @return PROMOTED; ALREADY_PRIMARY (nothing done); UNSUPPORTED: the server predates {@code pg_promote}
     *     (PostgreSQL 12), so nothing was promoted and the caller promotes another way
     * @param timeout     for connecting and each statement; the wait for the end of recovery is the adapter's own
     * @throws Unreachable when no session could be opened: nothing was sent
     * @throws IllegalStateException when a statement failed, or the engine did not leave recovery in time
     */
    Promotion promote(Endpoint endpoint, Credentials credentials, String synchronousStandbyNames, Duration timeout);

    /** No session with the engine could be opened within the timeout: nothing reached it. */
    final class Unreachable extends IllegalStateException {
        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    enum Promotion {
        PROMOTED,
        ALREADY_PRIMARY,
        UNSUPPORTED
    }

    /**
     * The engine's data usage in bytes: every database ({@code pg_database_size}) plus the WAL directory. On a
     * connection of its own, never the probe's, so a slow answer never holds up the next probe; the adapter keeps it
     * while it keeps the endpoint's probe connection, and {@link #release} closes both. Throws when the engine does not
     * answer.
     */
    default long dataBytes(Endpoint endpoint, Credentials credentials, Duration timeout) {
        throw new UnsupportedOperationException("this probe does not measure data usage");
    }

    /**
     * The engine's own view of {@code names} ({@code pg_settings}, the names bound as a parameter) and when its
     * postmaster started, on a connection of its own. A name the engine does not know is absent from the map. Throws
     * when the engine cannot be asked.
     */
    Settings settingsOnce(
            Endpoint endpoint, Credentials credentials, java.util.Collection<String> names, Duration timeout);

    /** {@code postmasterStart}: {@code pg_postmaster_start_time()}; {@code settings} by lower-case name. */
    record Settings(java.time.Instant postmasterStart, java.util.Map<String, Setting> settings) {}

    /** One row of {@code pg_settings}: {@code unit} null for a unitless one. */
    record Setting(String context, String setting, String unit, String vartype, boolean pendingRestart) {}

    /** Closes the connection kept for this endpoint, if any (the instance is no longer watched). */
    void release(Endpoint endpoint);

    /** Closes every kept connection. */
    @Override
    void close();

    record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** The password never shows in {@link #toString()}. */
    record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + "]";
        }
    }

    enum Outcome {
        /** The engine answered. */
        OK,
        /** Nothing listens, or PostgreSQL says it is shutting down (or was shut down): the engine is down. */
        REFUSED,
        /**
         * PostgreSQL is there but cannot take connections yet (SQLState 57P03 other than "shutting down"): starting up,
         * in crash recovery after a backend crashed, or not yet consistent. It may well answer in a few seconds.
         */
        STARTING,
        /** No answer within the timeout: the engine or its host may be hung, or the network slow. */
        TIMEOUT,
        /** The engine answered but refused our login (SQLState class 28): it runs, our credentials are wrong. */
        DENIED,
        /** Any other failure (SQL error, ...). */
        ERROR
    }

    /**
     * @param latency    time the probe took, connecting included
     * @param inRecovery the engine replays WAL (a standby or replica); false unless the outcome is OK
     * @param detail     a short, secret-free description of the failure; empty when OK
     * @param wal        where its WAL stands (its timeline; a primary's write position, a replica's replayed and
     *                   received positions, in bytes); null unless the outcome is OK
     * @param replication its synchronous standby setting and who streams from it; null unless the outcome is OK
     */
    record Result(
            Outcome outcome, Duration latency, boolean inRecovery, String detail, Wal wal, Replication replication) {
        public Result(Outcome outcome, Duration latency, boolean inRecovery, String detail) {
            this(outcome, latency, inRecovery, detail, null, null);
        }

        public Result(Outcome outcome, Duration latency, boolean inRecovery, String detail, Wal wal) {
            this(outcome, latency, inRecovery, detail, wal, null);
        }
    }

    /**
     * @param synchronousStandbyNames the engine's current {@code synchronous_standby_names}
     * @param streaming               application names of the standbys streaming from it now (empty on a replica)
     */
    record Replication(String synchronousStandbyNames, java.util.List<String> streaming) {}

    /**
     * {@code timeline}: a primary's current one, a replica's as the manager agent's {@code wal-position} reports it;
     * {@code replayed}: a primary's current write position or a replica's last replayed one; {@code received} null on a
     * primary.
     */
    record Wal(long timeline, long replayed, Long received) {}
}
