package io.polarstack.orchestrator.it;

import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.TestEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The engine on the real MariaDB of scripts/test-env through mysql-connector-j (Camunda's MySQL dialect). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EngineMariaDbIT extends EngineDatabaseITSupport {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, null);
        registry.add("spring.datasource.url", () -> TestEnvironment.get("MARIADB_URL"));
        registry.add("spring.datasource.username", () -> TestEnvironment.get("MARIADB_USER"));
        registry.add("spring.datasource.password", () -> TestEnvironment.get("MARIADB_PASSWORD"));
    }

    @Override
    String expectedDatabaseType() {
        return "mysql";
    }
}
