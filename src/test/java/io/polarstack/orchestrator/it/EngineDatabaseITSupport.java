package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.testing.AppTestSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The same checks on every external engine database: schema created, the first model completes. */
abstract class EngineDatabaseITSupport {

    @Autowired
    ProcessEngine engine;

    @Autowired
    DataSource dataSource;

    abstract String expectedDatabaseType();

    @Test
    void schemaIsCreatedOnTheConfiguredDatabase() throws SQLException {
        assertThat(engine.getProcessEngineConfiguration())
                .extracting("databaseType")
                .isEqualTo(expectedDatabaseType());
        try (Connection connection = dataSource.getConnection();
                var tables = connection.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
            boolean found = false;
            while (tables.next()) {
                found |= tables.getString("TABLE_NAME").equalsIgnoreCase("ACT_RU_JOB");
            }
            assertThat(found).as("ACT_RU_JOB exists").isTrue();
        }
    }

    @Test
    void theFirstModelCompletes() throws Exception {
        var instance = engine.getRuntimeService()
                .startProcessInstanceByKey(
                        "ConnectivityCheck", "it/" + expectedDatabaseType(), Map.of("namespace", "default"));
        var ended = AppTestSupport.awaitEnded(engine.getHistoryService(), instance.getId(), Duration.ofSeconds(30));
        assertThat(ended.getState()).isEqualTo("COMPLETED");
        assertThat(engine.getHistoryService()
                        .createHistoricActivityInstanceQuery()
                        .processInstanceId(instance.getId())
                        .activityId("EndEvent_Connected")
                        .count())
                .isEqualTo(1);
    }
}
