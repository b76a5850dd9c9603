package io.polarstack.orchestrator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.adapters.jdbc.JdbcEngineProbe;
import io.polarstack.orchestrator.ports.EngineProbe.Credentials;
import io.polarstack.orchestrator.ports.EngineProbe.Endpoint;
import io.polarstack.orchestrator.testing.ScratchPostgres;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The usage monitor's one query per instance on a real PostgreSQL: it sees rows written, and what it costs (printed:
 * the figure README's disk-usage.interval rests on).
 */
class DiskUsageProbeIT {

    @Test
    void dataBytesSeesGeneratedRowsAndCostsAFewMillisecondsPerInstance() throws Exception {
        String password = "aurora-" + Long.toHexString(System.nanoTime());
        try (var pg = ScratchPostgres.start("aurora", password);
                var probe = new JdbcEngineProbe()) {
            var endpoint = new Endpoint("127.0.0.1", pg.port());
            var account = new Credentials("aurora", password);
            long before = probe.dataBytes(endpoint, account, Duration.ofSeconds(5));
            try (var c = DriverManager.getConnection(
                            "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "aurora", password);
                    var s = c.createStatement()) {
                s.execute("CREATE TABLE fill AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, 20000) g");
                s.execute("CHECKPOINT");
            }
            long after = probe.dataBytes(endpoint, account, Duration.ofSeconds(5));
            assertThat(after - before).as("20000 rows of 1 kB").isGreaterThan(15L << 20);

            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t = System.nanoTime();
                probe.dataBytes(endpoint, account, Duration.ofSeconds(5));
                micros.add((System.nanoTime() - t) / 1000);
            }
            Collections.sort(micros);
            System.out.printf(
                    "usage monitor cost per instance (connect + query + close, 20 runs): median %.1f ms, max %.1f ms;"
                            + " data %d -> %d bytes%n",
                    micros.get(10) / 1000.0, micros.get(19) / 1000.0, before, after);
        }
    }
}
