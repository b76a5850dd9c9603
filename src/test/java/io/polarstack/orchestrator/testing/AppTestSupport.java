package io.polarstack.orchestrator.testing;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Shared settings for @SpringBootTest classes: a fresh admin password and the test-env Kubernetes. */
public final class AppTestSupport {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = randomPassword();
    /** The admin's {@code Authorization} header value for the REST API. */
    public static final String ADMIN_LOGIN = "Basic "
            + Base64.getEncoder().encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));

    private AppTestSupport() {}

    public static void register(DynamicPropertyRegistry registry, String h2Name) {
        registry.add("orchestrator.admin.password", () -> ADMIN_PASSWORD);
        registry.add("orchestrator.kubernetes.kubeconfig", () -> TestEnvironment.get("KUBECONFIG"));
        // The operator watches only where a test asks it to (the test-env API server is shared).
        registry.add("orchestrator.operator.enabled", () -> "false");
        if (h2Name != null) {
            registry.add("spring.datasource.url", () -> "jdbc:h2:mem:" + h2Name + ";DB_CLOSE_DELAY=-1");
        }
    }

    /** Waits (bounded) until the process instance has ended; returns its history. */
    public static HistoricProcessInstance awaitEnded(HistoryService history, String processInstanceId, Duration limit)
            throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            var instance = history.createHistoricProcessInstanceQuery()
                    .processInstanceId(processInstanceId)
                    .singleResult();
            if (instance != null && instance.getEndTime() != null) {
                return instance;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("process instance " + processInstanceId + " did not end within " + limit);
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
