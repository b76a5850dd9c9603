package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A person's path through Cockpit in a real headless Chromium: log in, find the deployed flows, open an
 * instance stopped by an incident, fix the cause, retry from the UI, see the instance complete.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "orchestrator.retry-profiles.k8s=R2/PT1S")
class CockpitBrowserIT {

    static final Path SHOTS = Path.of("target", "screenshots");
    static WebDriver browser;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "cockpit-browser-it");
    }

    /** On failure, what the browser showed is kept next to the other screenshots. */
    @RegisterExtension
    static final TestWatcher failureShot = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            try {
                shot("failure");
                Files.writeString(SHOTS.resolve("failure.html"), browser.getPageSource());
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    };

    @LocalServerPort
    int port;

    @Autowired
    RuntimeService runtime;

    @Autowired
    HistoryService history;

    @Autowired
    KubernetesClient kubernetes;

    @BeforeAll
    static void openBrowser() throws Exception {
        for (String file : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
            if (!new File(file).canExecute()) {
                throw new IllegalStateException(file + " missing; install it with: sudo scripts/test-env up");
            }
        }
        Files.createDirectories(SHOTS);
        var options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory("cockpit-browser"));
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void logInSeeFlowsRetryAnIncidentAndSeeTheInstanceComplete() throws Exception {
        String namespace = "cockpit-" + System.nanoTime();
        var instance =
                runtime.startProcessInstanceByKey("ConnectivityCheck", "ui/check", Map.of("namespace", namespace));
        awaitIncident(instance.getId());

        String base = "http://localhost:" + port + "/camunda/app/cockpit/default/";
        var wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        browser.get(base);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[ng-model='username']")))
                .sendKeys(AppTestSupport.ADMIN);
        browser.findElement(By.cssSelector("input[type='password']")).sendKeys(AppTestSupport.ADMIN_PASSWORD);
        shot("01-login");
        browser.findElement(By.cssSelector("button[type='submit']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Running Process Instances"));
        shot("02-dashboard");

        browser.get(base + "#/processes");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Connectivity check"));
        shot("03-processes");

        browser.get(base + "#/process-instance/" + instance.getId() + "/runtime");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Check namespace"));
        shot("04-instance-in-incident");

        TestEnvironment.createNamespace(kubernetes, namespace); // the operator fixes the cause
        browser.findElement(By.cssSelector("a[uib-tooltip='Increment Number of Retries of Failed Jobs']"))
                .click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".modal-dialog")));
        var dialog = browser.findElement(By.cssSelector(".modal-dialog"));
        wait.until(ExpectedConditions.textToBePresentInElement(dialog, "does not exist")); // the incident's message
        shot("05-retry-dialog");
        dialog.findElement(By.cssSelector("button[ng-click='retryFailedJobs(selectedFailedJobIds)']"))
                .click();
        wait.until(ExpectedConditions.textToBePresentInElement(dialog, "Successful"));
        shot("06-retry-done");

        var ended = AppTestSupport.awaitEnded(history, instance.getId(), Duration.ofSeconds(30));
        assertThat(ended.getState()).isEqualTo("COMPLETED");
        assertThat(history.createHistoricActivityInstanceQuery()
                        .processInstanceId(instance.getId())
                        .activityId("EndEvent_Connected")
                        .count())
                .isEqualTo(1);
        browser.get(base + "#/process-definition/" + instance.getProcessDefinitionId() + "/runtime");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "Check namespace"));
        assertThat(runtime.createIncidentQuery()
                        .processInstanceId(instance.getId())
                        .count())
                .isZero();
        shot("07-definition-no-incident");
    }

    void awaitIncident(String processInstanceId) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (runtime.createIncidentQuery()
                        .processInstanceId(processInstanceId)
                        .count()
                == 0) {
            assertThat(System.nanoTime()).as("incident within 30 s").isLessThan(end);
            Thread.sleep(100);
        }
    }

    static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
