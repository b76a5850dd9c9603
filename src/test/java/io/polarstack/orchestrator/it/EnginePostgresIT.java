package io.polarstack.orchestrator.it;

import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.TestEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The engine on the real PostgreSQL 15 of scripts/test-env, chosen by configuration alone. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EnginePostgresIT extends EngineDatabaseITSupport {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, null);
        registry.add("spring.datasource.url", () -> TestEnvironment.get("PG_URL"));
        registry.add("spring.datasource.username", () -> TestEnvironment.get("PG_USER"));
        registry.add("spring.datasource.password", () -> TestEnvironment.get("PG_PASSWORD"));
    }

    @Override
    String expectedDatabaseType() {
        return "postgres";
    }
}
