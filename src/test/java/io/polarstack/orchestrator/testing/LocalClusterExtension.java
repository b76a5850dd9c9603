package io.polarstack.orchestrator.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts {@code scripts/local-cluster up} once per test run (the root store outlives every test class) and
 * resolves {@link KubernetesClient} and {@link Cluster} parameters. See {@link LocalCluster}.
 */
public final class LocalClusterExtension implements ParameterResolver {

    /** Cold start builds the node binaries from source (several minutes on 2 cores); warm start is seconds. */
    private static final Duration UP_LIMIT = Duration.ofMinutes(30);

    private static final Duration DOWN_LIMIT = Duration.ofMinutes(2);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubernetesClient.class || type == Cluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Cluster cluster = cluster(context);
        return parameter.getParameter().getType() == Cluster.class ? cluster : cluster.client();
    }

    /** The cluster of this test run, started on first use. */
    public static Cluster cluster(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Cluster.class, key -> Cluster.start(), Cluster.class);
    }

    /** The running cluster: its client and the values of the env file {@code scripts/local-cluster env} names. */
    public static final class Cluster implements ExtensionContext.Store.CloseableResource {

        private final boolean startedHere;
        private final Map<String, String> env;
        private final KubernetesClient client;

        private Cluster(boolean startedHere, Map<String, String> env, KubernetesClient client) {
            this.startedHere = startedHere;
            this.env = env;
            this.client = client;
        }

        static Cluster start() {
            boolean running = run(Duration.ofSeconds(30), false, "status") == 0;
            // `up` also when running: it is idempotent and waits until all nodes are Ready.
            if (run(UP_LIMIT, true, "up") != 0) {
                throw new IllegalStateException("scripts/local-cluster up failed; its output is in this test's output, "
                        + "and the component logs are in /tmp/polarstack-local-cluster/logs");
            }
            Map<String, String> env = readEnv(Path.of(output("env")));
            String kubeconfig;
            try {
                kubeconfig = Files.readString(Path.of(env.get("KUBECONFIG")));
            } catch (IOException e) {
                throw new IllegalStateException(
                        "cannot read the local cluster's kubeconfig " + env.get("KUBECONFIG"), e);
            }
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(kubeconfig))
                    .build();
            return new Cluster(!running, env, client);
        }

        public KubernetesClient client() {
            return client;
        }

        /** Node names, which are also the nodes' loopback addresses: 127.0.0.2, 127.0.0.3, 127.0.0.4. */
        public List<String> nodes() {
            return Arrays.asList(value("LOCAL_CLUSTER_NODES").split(" "));
        }

        /** The loopback registry every node pulls from, {@code host:port}. */
        public String registry() {
            return value("LOCAL_CLUSTER_REGISTRY");
        }

        public String busyboxImage() {
            return value("LOCAL_CLUSTER_BUSYBOX_IMAGE");
        }

        public String debianImage() {
            return value("LOCAL_CLUSTER_DEBIAN_IMAGE");
        }

        public String value(String key) {
            String value = env.get(key);
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException(
                        "the local cluster's env file has no " + key + "; rerun: scripts/local-cluster up");
            }
            return value;
        }

        @Override
        public void close() {
            client.close();
            if (startedHere && !Boolean.getBoolean("polarstack.local-cluster.keep")) {
                run(DOWN_LIMIT, true, "down");
            }
        }

        private static Map<String, String> readEnv(Path file) {
            try {
                Map<String, String> map = new HashMap<>();
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        map.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
                return map;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the local cluster's env file " + file, e);
            }
        }

        private static String script() {
            Path script = Path.of(System.getProperty("user.dir"), "scripts", "local-cluster");
            if (!Files.isExecutable(script)) {
                throw new IllegalStateException(script + " not found; run the tests from the project directory");
            }
            return script.toString();
        }

        /** Runs the script; its output goes to this test run's output (and the tail into the error if it fails). */
        private static int run(Duration limit, boolean showOutput, String command) {
            ProcessBuilder builder = new ProcessBuilder(script(), command).redirectErrorStream(true);
            Deque<String> tail = new ArrayDeque<>();
            try {
                Process process = builder.start();
                Thread relay = new Thread(
                        () -> {
                            try (BufferedReader reader = process.inputReader()) {
                                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                                    if (showOutput) {
                                        System.out.println(line);
                                    }
                                    synchronized (tail) {
                                        tail.addLast(line);
                                        if (tail.size() > 20) {
                                            tail.removeFirst();
                                        }
                                    }
                                }
                            } catch (IOException ignored) {
                                // the process ended; its exit code tells the outcome
                            }
                        },
                        "local-cluster-" + command);
                relay.setDaemon(true);
                relay.start();
                if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroy();
                    throw new IllegalStateException("scripts/local-cluster " + command + " did not finish within "
                            + limit + "; see /tmp/polarstack-local-cluster/logs. Last output:\n"
                            + String.join("\n", tail));
                }
                relay.join(TimeUnit.SECONDS.toMillis(5));
                if (process.exitValue() != 0 && showOutput) {
                    synchronized (tail) {
                        System.out.println("scripts/local-cluster " + command + " exited with " + process.exitValue()
                                + "; last output:\n" + String.join("\n", tail));
                    }
                }
                return process.exitValue();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run scripts/local-cluster " + command, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running scripts/local-cluster " + command, e);
            }
        }

        private static String output(String command) {
            try {
                Process process = new ProcessBuilder(script(), command)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                String out = new String(process.getInputStream().readAllBytes()).trim();
                if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("scripts/local-cluster " + command + " failed");
                }
                return out;
            } catch (IOException e) {
                throw new IllegalStateException("cannot run scripts/local-cluster " + command, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running scripts/local-cluster " + command, e);
            }
        }
    }
}
