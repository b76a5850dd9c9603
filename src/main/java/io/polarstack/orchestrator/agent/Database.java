package io.polarstack.orchestrator.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A superuser session on the local engine over its unix socket. Values only ever travel as bound parameters;
 * statements that cannot take parameters (roles, slots as identifiers) are first built by the server with
 * {@code format('%I', ...)} / {@code format('%L', ...)} from bound values, then run. Every statement carries a
 * mark comment so the engine's log tells the manager's statements from users'.
 */
public final class Database implements AutoCloseable {

    static final String MARK = "/* polarstack-manager */ ";
    /** SQLSTATE cannot_connect_now: the server is starting up, shutting down or in recovery without hot standby. */
    static final String CANNOT_CONNECT_NOW = "57P03";

    private final Connection connection;
    private final AgentLog log;

    private Database(Connection connection, AgentLog log) {
        this.connection = connection;
        this.log = log;
    }

    /** Opens a session, or fails with {@code ENGINE_NOT_RUNNING} naming the socket and the engine's state. */
    public static Database open(Instance instance) {
        try {
            return new Database(connect(instance), instance.log());
        } catch (SQLException e) {
            throw new AgentException(
                    ErrorCode.ENGINE_NOT_RUNNING,
                    "instance " + instance.dataDir() + " is not accepting connections on "
                            + instance.socketFile() + ": " + e.getMessage()
                            + (instance.locked()
                                    ? " (it is locked by " + instance.lockFile() + "; run start to unlock it)"
                                    : ""),
                    Map.of("sqlState", String.valueOf(e.getSQLState())),
                    e);
        }
    }

    /** A raw connection attempt; the caller reads the SQLSTATE of a failure (health tells "starting" from "down"). */
    static Connection connect(Instance instance) throws SQLException {
        Path socket = instance.socketFile();
        if (!Files.exists(socket)) {
            throw new SQLException("no server socket " + socket, "08001");
        }
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("socketFactory", UnixSocketFactory.class.getName());
        props.setProperty("socketFactoryArg", socket.toString());
        props.setProperty("sslmode", "disable");
        props.setProperty("gssEncMode", "disable");
        props.setProperty("ApplicationName", "polarstack-manager");
        props.setProperty("connectTimeout", "5");
        props.setProperty("loginTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + instance.port() + "/postgres", props);
    }

    public Connection connection() {
        return connection;
    }

    public List<Map<String, Object>> query(String sql, Object... params) {
        try (PreparedStatement ps = connection.prepareStatement(MARK + sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    /** The first column of the first row, or null when there is no row. */
    public Object value(String sql, Object... params) {
        List<Map<String, Object>> rows = query(sql, params);
        return rows.isEmpty() ? null : rows.get(0).values().iterator().next();
    }

    public boolean exists(String sql, Object... params) {
        return !query(sql, params).isEmpty();
    }

    /**
     * Runs a statement the server builds: {@code template} is a constant {@code format()} pattern of this code
     * ({@code %I} identifiers, {@code %L} literals), {@code params} the request values bound to it.
     * {@code what} describes the statement for the log and errors without its (possibly secret) literals.
     */
    public void executeFormatted(String what, String template, Object... params) {
        StringBuilder placeholders = new StringBuilder();
        for (int i = 0; i < params.length; i++) {
            placeholders.append(", ?::text");
        }
        String statement = (String) value("select format(?" + placeholders + ")", prepend(template, params));
        log.info("sql: %s", what);
        try (Statement st = connection.createStatement()) {
            st.execute(MARK + statement);
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    public void execute(String sql, Object... params) {
        try (PreparedStatement ps = connection.prepareStatement(MARK + sql)) {
            bind(ps, params);
            ps.execute();
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    /**
     * Asks the server whether {@code value} is valid for parameter {@code name} by setting it in a transaction that
     * is rolled back. Returns the server's complaint, or null when valid or when the parameter cannot be set in a
     * session (reload- and restart-only parameters: the server checks those when it reloads).
     */
    public String invalidSetting(String name, String value) {
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement ps = connection.prepareStatement(MARK + "select set_config(?, ?, true)")) {
                ps.setString(1, name);
                ps.setString(2, value);
                ps.execute();
            }
            return null;
        } catch (SQLException e) {
            return "55P02".equals(e.getSQLState()) ? null : e.getMessage();
        } finally {
            try {
                connection.rollback();
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                log.warn("ending the validation transaction: %s", e.getMessage());
            }
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    private AgentException failed(String what, SQLException e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
            return new AgentException(
                    ErrorCode.ENGINE_NOT_RUNNING,
                    "lost the connection to the engine during '" + what + "': " + e.getMessage(),
                    e);
        }
        return new AgentException(
                ErrorCode.SQL_FAILED,
                "'" + what + "' failed: " + e.getMessage(),
                Map.of("sqlState", String.valueOf(e.getSQLState())),
                e);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing the engine session: %s", e.getMessage());
        }
    }
}
