package io.polarstack.orchestrator.adapters.manager;

import static io.polarstack.orchestrator.adapters.manager.LocalPostgres.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.ports.ManagerClient.InstallSpec;
import io.polarstack.orchestrator.ports.ManagerClient.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Accounts made by the manager agent on this machine's PostgreSQL 15 with pg_stat_statements loaded and every
 * statement logged: each password logs in, and neither pg_stat_statements nor the server log holds any of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountPasswordIT {

    private static final String APP = "app-Pl4intext-one";
    private static final String APP_CHANGED = "app-Pl4intext-two'; --";
    private static final String DBA = "dba-Pl4intext-superuser";
    /** Non-ASCII: a no-break space (becomes a space) and a Roman numeral (NFKC: "IX"), as the server prepares them. */
    private static final String UNICODE = "p\u00E4ss\u00A0w\u00F6rd-\u2168";

    private Path scratch;
    private Target rw;
    private int port;
    private JsonManagerClient client;

    @BeforeAll
    void setUp() throws IOException {
        scratch = LocalPostgres.scratch("polarstack-password-it");
        port = LocalPostgres.freePort();
        rw = LocalPostgres.target(scratch, "rw-0", "rw");
        client = LocalPostgres.agentClient();
        client.install(
                rw,
                InstallSpec.rw(port)
                        .withNetwork("127.0.0.1", List.of("127.0.0.1/32"))
                        .withParams(Map.of("fsync", "off", "shared_buffers", "16MB")));
        // What an engine image's conf template may set (a user's params may not): the module, and every statement
        // logged to a file this test reads.
        Path conf = scratch.resolve("rw/data/postgresql.conf");
        Files.writeString(
                conf,
                Files.readString(conf)
                        + "shared_preload_libraries = 'pg_stat_statements'\n"
                        + "logging_collector = on\n"
                        + "log_directory = '" + scratch.resolve("rw/log") + "'\n"
                        + "log_filename = 'statements.log'\n"
                        + "log_statement = 'all'\n"
                        + "log_min_error_statement = 'error'\n");
        client.start(rw);
    }

    @AfterAll
    void tearDown() {
        LocalPostgres.stopQuietly(scratch.resolve("rw/data"));
        LocalPostgres.run(List.of("rm", "-rf", scratch.toString()), Map.of());
    }

    @Test
    void passwordsLogInAndNeverReachStatementStatisticsOrTheLog() throws Exception {
        assertThat(client.createAccount(rw, "dba", DBA, 7)).isTrue();
        assertThat(client.createAccount(rw, "app", APP, 1)).isTrue();
        assertThat(client.createAccount(rw, "uni", UNICODE, 1)).isTrue();
        tcp(port, "app", APP).close();
        tcp(port, "uni", UNICODE).close();
        // ALTER ROLE, the other statement that sets a password.
        assertThat(client.createAccount(rw, "app", APP_CHANGED, 1)).isFalse();
        tcp(port, "app", APP_CHANGED).close();
        assertThatThrownBy(() -> tcp(port, "app", APP).close()).isInstanceOf(SQLException.class);

        List<String> secrets = List.of(APP, APP_CHANGED, DBA, UNICODE, "Pl4intext");
        List<String> statements = new ArrayList<>();
        try (Connection c = tcp(port, "dba", DBA);
                Statement st = c.createStatement()) {
            st.execute("create extension if not exists pg_stat_statements");
            try (ResultSet rs = st.executeQuery("select query from pg_stat_statements")) {
                while (rs.next()) {
                    statements.add(rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "select rolname, rolpassword from pg_authid where rolname in ('app', 'dba', 'uni')")) {
                while (rs.next()) {
                    assertThat(rs.getString(2)).as(rs.getString(1)).startsWith("SCRAM-SHA-256$4096:");
                }
            }
        }
        assertThat(statements)
                .as("pg_stat_statements keeps the role statements, with the verifier")
                .anyMatch(q -> q.contains("ALTER ROLE app WITH") && q.contains("PASSWORD 'SCRAM-SHA-256$4096:"))
                .anyMatch(q -> q.contains("CREATE ROLE dba WITH"));
        for (String secret : secrets) {
            assertThat(statements).noneMatch(q -> q.contains(secret));
        }

        String log;
        try (Stream<Path> files = Files.list(scratch.resolve("rw/log"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f));
            }
            log = all.toString();
        }
        assertThat(log)
                .as("every statement is logged")
                .contains("CREATE ROLE app")
                .contains("ALTER ROLE app");
        for (String secret : secrets) {
            assertThat(log).doesNotContain(secret);
        }
    }
}
