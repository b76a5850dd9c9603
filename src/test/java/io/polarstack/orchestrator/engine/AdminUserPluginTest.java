package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.OrchestratorProperties.Admin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.UUID;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.authorization.Groups;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminUserPluginTest {

    @TempDir
    Path dir;

    /** Starts an engine on the given file database with the plugin, returns what it printed, closes it. */
    static String start(String db, Admin admin, java.util.function.Consumer<ProcessEngine> check) {
        var configuration =
                (ProcessEngineConfigurationImpl) ProcessEngineConfiguration.createStandaloneProcessEngineConfiguration()
                        .setJdbcUrl("jdbc:h2:file:" + db)
                        .setJdbcUsername("sa")
                        .setJdbcPassword("")
                        .setDatabaseSchemaUpdate("true")
                        .setJobExecutorActivate(false)
                        .setProcessEngineName("admin-" + UUID.randomUUID());
        configuration.setAuthorizationEnabled(true);
        configuration.getProcessEnginePlugins().add(new AdminUserPlugin(admin));
        PrintStream console = System.out;
        var printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true));
        ProcessEngine engine;
        try {
            engine = configuration.buildProcessEngine();
        } finally {
            System.setOut(console);
        }
        try {
            check.accept(engine);
        } finally {
            engine.close();
        }
        return printed.toString();
    }

    @Test
    void generatesAPasswordOnceStoresOnlyItsHashAndGrantsAdministration() throws Exception {
        String db = dir.resolve("engine").toString();
        String[] password = new String[1];
        String first = start(db, new Admin("admin", null, null), engine -> {});
        var matcher = Pattern.compile("generated password:\\s+(\\S+)").matcher(first);
        assertThat(matcher.find()).as("printed: " + first).isTrue();
        password[0] = matcher.group(1);
        assertThat(password[0]).hasSizeGreaterThanOrEqualTo(20);

        String second = start(db, new Admin("admin", null, null), engine -> {
            assertThat(engine.getIdentityService().checkPassword("admin", password[0]))
                    .isTrue();
            assertThat(engine.getIdentityService().checkPassword("admin", "admin"))
                    .isFalse();
            assertThat(engine.getAuthorizationService()
                            .isUserAuthorized(
                                    "admin",
                                    java.util.List.of(Groups.CAMUNDA_ADMIN),
                                    Permissions.ALL,
                                    Resources.PROCESS_DEFINITION))
                    .isTrue();
        });
        assertThat(second).doesNotContain(password[0]).doesNotContain("generated password");

        try (var connection = DriverManager.getConnection("jdbc:h2:file:" + db, "sa", "");
                var rows =
                        connection.createStatement().executeQuery("select PWD_ from ACT_ID_USER where ID_ = 'admin'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).startsWith("{SHA-512}").doesNotContain(password[0]);
        }
    }

    @Test
    void aConfiguredPasswordIsUsedAndRotatesTheStoredOne() {
        String db = dir.resolve("engine").toString();
        String printed = start(
                db,
                new Admin("dba", "first-Secret-1", null),
                engine -> assertThat(engine.getIdentityService().checkPassword("dba", "first-Secret-1"))
                        .isTrue());
        assertThat(printed).doesNotContain("first-Secret-1");
        start(db, new Admin("dba", "second-Secret-2", null), engine -> {
            assertThat(engine.getIdentityService().checkPassword("dba", "second-Secret-2"))
                    .isTrue();
            assertThat(engine.getIdentityService().checkPassword("dba", "first-Secret-1"))
                    .isFalse();
        });
    }

    @Test
    void wrongPasswordsNeverLockTheAdministratorInTheEngine() {
        start(dir.resolve("engine").toString(), new Admin("admin", "right-Secret-4", null), engine -> {
            var identity = engine.getIdentityService();
            // The engine's default would lock the user for good after 10 and delay each login after a failure.
            for (int i = 0; i < 25; i++) {
                assertThat(identity.checkPassword("admin", "wrong-" + i)).isFalse();
            }
            assertThat(identity.checkPassword("admin", "right-Secret-4"))
                    .as("at once, with no delay or lock left by the failures")
                    .isTrue();
        });
    }

    @Test
    void aPasswordFileIsRead() throws Exception {
        Path secret = Files.writeString(dir.resolve("password"), "from-a-Secret-3\n");
        start(
                dir.resolve("engine").toString(),
                new Admin("admin", null, secret.toString()),
                engine -> assertThat(engine.getIdentityService().checkPassword("admin", "from-a-Secret-3"))
                        .isTrue());
    }

    @Test
    void aMissingPasswordFileIsAClearErrorAndCreatesNoUser() {
        String missing = dir.resolve("absent").toString();
        assertThatThrownBy(
                        () -> start(dir.resolve("engine").toString(), new Admin("admin", null, missing), engine -> {}))
                .hasMessageContaining("orchestrator.admin.password-file")
                .hasMessageContaining(missing);
    }
}
