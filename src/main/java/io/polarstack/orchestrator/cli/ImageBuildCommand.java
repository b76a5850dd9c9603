package io.polarstack.orchestrator.cli;

import static io.polarstack.orchestrator.flows.buildimages.BuildImagesVariables.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.adapters.docker.DockerImageBuilder;
import io.polarstack.orchestrator.adapters.git.JGitSourceRepository;
import io.polarstack.orchestrator.delegates.buildimages.LoadImageFileDelegate;
import io.polarstack.orchestrator.engine.RetryProfilePlugin;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.runtime.Job;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code image build -f image.yml [--no-cache]}: the BuildImages flow on a private in-memory engine, like
 * PolarDBManager's {@code ./image.py -f image.yml}. No orchestrator, database or password is needed; this
 * process runs each step itself, prints it, waits out the retry profile between attempts, and exits 1 at the
 * first incident (0 when every image is built).
 */
public final class ImageBuildCommand {

    static final String USAGE = """
            usage: java -jar orchestrator.jar image build -f image.yml [--no-cache] [--work-dir DIR] [--docker-host URL]
              -h, --help       print this text
              -f, --file       image.yml to build (PolarDBManager's schema)
              -n, --no-cache   build every layer again
              --work-dir       clones, build contexts and build logs (default ./data/image-build)
              --docker-host    Docker daemon (default DOCKER_HOST, else unix:///var/run/docker.sock)
            """;

    private final PrintStream out;
    private final ImageBuilder builder;
    private final SourceRepository sources;
    private final ImageBuildProperties properties;
    private final Map<String, String> retryProfiles;

    ImageBuildCommand(
            PrintStream out,
            ImageBuilder builder,
            SourceRepository sources,
            ImageBuildProperties properties,
            Map<String, String> retryProfiles) {
        this.out = out;
        this.builder = builder;
        this.sources = sources;
        this.properties = properties;
        this.retryProfiles = retryProfiles;
    }

    /** Entry point from Main; returns the exit code. */
    public static int run(String[] args) {
        Map<String, String> options = new HashMap<>();
        boolean noCache = false;
        if (args.length == 0 || !args[0].equals("build")) {
            System.err.print(USAGE);
            return 2;
        }
        if (java.util.Arrays.asList(args).subList(1, args.length).stream()
                .anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
            System.out.print(USAGE);
            return 0;
        }
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "-n", "--no-cache", "--no_cache" -> noCache = true;
                case "-f", "--file", "--work-dir", "--docker-host" -> {
                    if (i + 1 >= args.length) {
                        System.err.printf("%s needs a value%n%s", args[i], USAGE);
                        return 2;
                    }
                    options.put(args[i].equals("-f") ? "--file" : args[i], args[++i]);
                }
                default -> {
                    System.err.printf("unknown option '%s'%n%s", args[i], USAGE);
                    return 2;
                }
            }
        }
        if (!options.containsKey("--file")) {
            System.err.print("-f image.yml is required\n" + USAGE);
            return 2;
        }
        quietLogging();
        String dockerHost = options.getOrDefault("--docker-host", "");
        var properties = new ImageBuildProperties(
                dockerHost, Path.of(options.getOrDefault("--work-dir", "data/image-build")), null, null);
        try (var docker = new DockerImageBuilder(dockerHost)) {
            return new ImageBuildCommand(
                            System.out, docker, new JGitSourceRepository(), properties, shippedRetryProfiles())
                    .build(Path.of(options.get("--file")), noCache);
        } catch (Exception e) {
            System.err.println("image build failed: " + e.getMessage());
            return 1;
        }
    }

    int build(Path imageFile, boolean noCache) throws InterruptedException {
        ProcessEngine engine = engine();
        try {
            engine.getRepositoryService()
                    .createDeployment()
                    .name("image build")
                    .addClasspathResource("processes/build-images.bpmn")
                    .deploy();
            var runtime = engine.getRuntimeService();
            var instance = runtime.startProcessInstanceByKey(
                    PROCESS_KEY,
                    imageFile.getFileName().toString(),
                    Map.of(IMAGE_FILE, imageFile.toAbsolutePath().toString(), NO_CACHE, noCache));
            out.printf("BuildImages: %s%n", imageFile.toAbsolutePath());
            String id = instance.getId();
            while (true) {
                if (runtime.createProcessInstanceQuery().processInstanceId(id).count() == 0) {
                    return finished(engine, id);
                }
                Job job = engine
                        .getManagementService()
                        .createJobQuery()
                        .processInstanceId(id)
                        .executable()
                        .orderByJobDuedate()
                        .asc()
                        .listPage(0, 1)
                        .stream()
                        .findFirst()
                        .orElse(null);
                if (job != null) {
                    runStep(engine, job);
                    continue;
                }
                Job later = engine
                        .getManagementService()
                        .createJobQuery()
                        .processInstanceId(id)
                        .withRetriesLeft()
                        .orderByJobDuedate()
                        .asc()
                        .listPage(0, 1)
                        .stream()
                        .findFirst()
                        .orElse(null);
                if (later == null) {
                    return incident(engine, id);
                }
                long wait = later.getDuedate() == null ? 0 : later.getDuedate().getTime() - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(Math.min(wait, Duration.ofMinutes(10).toMillis())); // the retry cycle's pause
                }
            }
        } finally {
            engine.close();
        }
    }

    private void runStep(ProcessEngine engine, Job job) {
        String activity = engine.getManagementService()
                .createJobDefinitionQuery()
                .jobDefinitionId(job.getJobDefinitionId())
                .singleResult()
                .getActivityId();
        Object imageId = engine.getRuntimeService().getVariable(job.getExecutionId(), IMAGE_ID);
        String who = imageId == null ? "" : "[" + imageId + "] ";
        out.printf("%s%s ...%n", who, activity);
        long start = System.nanoTime();
        try {
            engine.getManagementService().executeJob(job.getId());
            out.printf("%s%s done in %.1f s%n", who, activity, (System.nanoTime() - start) / 1e9);
        } catch (RuntimeException e) {
            Job after = engine.getManagementService()
                    .createJobQuery()
                    .jobId(job.getId())
                    .singleResult();
            int left = after == null ? 0 : after.getRetries();
            out.printf("%s%s failed: %s%n", who, activity, e.getMessage());
            if (left > 0) {
                out.printf("%s%s will be retried (%d attempt%s left)%n", who, activity, left, left == 1 ? "" : "s");
            }
        }
    }

    private int finished(ProcessEngine engine, String id) {
        boolean invalid = engine.getHistoryService()
                        .createHistoricActivityInstanceQuery()
                        .processInstanceId(id)
                        .activityId("EndEvent_InvalidImageFile")
                        .count()
                > 0;
        if (invalid) {
            out.printf("image.yml rejected: %s%n", finalValue(engine, id, ERROR_MESSAGE));
            return 1;
        }
        Path result = Path.of((String) finalValue(engine, id, RESULT_FILE));
        out.printf("all images built; %s:%n", result);
        try {
            Files.readAllLines(result).forEach(line -> out.printf("  %s%n", line));
        } catch (IOException e) {
            out.printf("  (cannot read it: %s)%n", e.getMessage());
        }
        return 0;
    }

    /** A process variable as the flow ended with it (the error boundary sets its message as the flow ends). */
    private static Object finalValue(ProcessEngine engine, String id, String name) {
        return engine
                .getHistoryService()
                .createHistoricVariableInstanceQuery()
                .processInstanceId(id)
                .variableName(name)
                .list()
                .stream()
                .findFirst()
                .map(v -> v.getValue())
                .orElse(null);
    }

    private int incident(ProcessEngine engine, String id) {
        var incidents = engine.getRuntimeService()
                .createIncidentQuery()
                .processInstanceId(id)
                .list();
        for (var incident : incidents) {
            Object imageId = engine.getRuntimeService().getVariable(incident.getExecutionId(), IMAGE_ID);
            out.printf(
                    "FAILED at %s%s after its last attempt: %s%n",
                    incident.getActivityId(),
                    imageId == null ? "" : " of image " + imageId,
                    incident.getIncidentMessage());
        }
        out.println("Fix the cause and run the command again; finished images are rebuilt from the layer cache.");
        return 1;
    }

    private ProcessEngine engine() {
        String name = "image-build-" + UUID.randomUUID();
        var configuration = (ProcessEngineConfigurationImpl)
                ProcessEngineConfiguration.createStandaloneInMemProcessEngineConfiguration();
        configuration.setProcessEngineName(name);
        configuration.setJdbcUrl("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        configuration.setJobExecutorActivate(false);
        configuration.setHistory(ProcessEngineConfiguration.HISTORY_AUDIT); // the variables as the flow ended
        configuration.setMetricsEnabled(false);
        configuration.setBeans(new HashMap<Object, Object>(delegates(builder, sources, properties)));
        configuration.setLoggingContextActivityId("step");
        configuration.getProcessEnginePlugins().add(new RetryProfilePlugin(retryProfiles));
        return configuration.buildProcessEngine();
    }

    /**
     * The BuildImages beans by the names the model uses: the delegates found in their package (no list to keep),
     * wired to these ports by a plain Spring context that starts in a fraction of a second.
     */
    public static Map<String, Object> delegates(
            ImageBuilder builder, SourceRepository sources, ImageBuildProperties properties) {
        try (var context = new AnnotationConfigApplicationContext()) {
            var beans = context.getBeanFactory(); // singletons given here are the caller's to close, not the context's
            beans.registerSingleton("imageBuilder", builder);
            beans.registerSingleton("sourceRepository", sources);
            beans.registerSingleton("imageBuildProperties", properties);
            context.register(IdList.class);
            context.scan(LoadImageFileDelegate.class.getPackageName());
            context.refresh();
            return new HashMap<>(context.getBeansWithAnnotation(Component.class));
        } // the delegates hold nothing the context would release: they go on working after it closes
    }

    /**
     * The retry profiles as application.yml ships them, so the command retries like the orchestrator (and the test
     * engines see the real attempt counts).
     */
    @SuppressWarnings("unchecked")
    public static Map<String, String> shippedRetryProfiles() {
        try (InputStream in = ImageBuildCommand.class.getResourceAsStream("/application.yml")) {
            Map<String, Object> yaml = new Yaml().load(in);
            return Map.copyOf(
                    (Map<String, String>) ((Map<String, Object>) yaml.get("orchestrator")).get("retry-profiles"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the retry profiles from application.yml in the jar", e);
        }
    }

    /** Steps and build output on the console; the engine's own chatter only when it matters. */
    private static void quietLogging() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        var console = new ConsoleAppender<ILoggingEvent>();
        console.setContext(context);
        console.setEncoder(encoder);
        console.start();
        var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        for (String name : List.of("io.polarstack.orchestrator")) {
            context.getLogger(name).setLevel(Level.INFO);
        }
        // A failed attempt is printed by the command itself; the engine would add a stack trace.
        context.getLogger("org.camunda.bpm.engine.jobexecutor").setLevel(Level.OFF);
        context.getLogger("org.camunda.bpm.engine.context").setLevel(Level.OFF);
    }
}
