package io.polarstack.orchestrator.adapters.ssh;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.ports.StorageFabricException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;
import net.schmizz.sshj.userauth.UserAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated SSH connection per host, kept open with keepalives and shared by all commands to that host
 * (each command is its own channel). A broken connection is dropped and the next command reconnects.
 */
final class SshConnections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshConnections.class);

    /** What a command printed and how it ended. */
    record Result(int exitStatus, String stdout, String stderr) {}

    private final SshCredentials credentials;
    private final OrchestratorProperties.Storage settings;
    private final Map<SshTarget, SSHClient> pool = new ConcurrentHashMap<>();
    private final Map<SshTarget, Object> connectLocks = new ConcurrentHashMap<>();
    /** Drains stdout and stderr while a command runs, so a chatty command cannot stall on a full channel window. */
    private final ExecutorService pumps;

    SshConnections(SshCredentials credentials, OrchestratorProperties.Storage settings) {
        this.credentials = credentials;
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.pumps = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ssh-output-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs one command; {@code argv} words are quoted one by one, so each arrives as exactly one argument. */
    Result run(SshTarget target, List<String> argv, Duration timeout) {
        List<String> words = settings.sudo() ? prefixed(argv) : argv;
        String command = ShellWords.command(words);
        String shown = String.join(" ", argv);
        Session session = openSession(target);
        try (session) {
            log.debug("{}: {}", target, shown);
            Session.Command cmd = session.exec(command);
            CompletableFuture<String> out = drain(cmd.getInputStream());
            CompletableFuture<String> err = drain(cmd.getErrorStream());
            try {
                cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                if (cmd.getExitStatus() == null && cmd.isOpen()) {
                    kill(cmd);
                    throw new StorageFabricException(
                            "`" + shown + "` on " + target + " did not finish within " + timeout.toSeconds()
                                    + " s (orchestrator.storage.command-timeout); it was stopped. Check the host: a hung multipathd or"
                                    + " an unresponsive array are the usual causes");
                }
                throw e;
            }
            Integer status = cmd.getExitStatus();
            return new Result(status == null ? -1 : status, collect(out), collect(err));
        } catch (IOException e) {
            drop(target);
            throw new StorageFabricException("`" + shown + "` on " + target + " failed: " + e.getMessage(), e);
        }
    }

    private Session openSession(SshTarget target) {
        // Opening a channel sends no command yet, so one retry on a fresh connection is always safe.
        for (int attempt = 1; ; attempt++) {
            SSHClient client = client(target);
            try {
                return client.startSession();
            } catch (IOException e) {
                drop(target);
                if (attempt == 2) {
                    throw new StorageFabricException(
                            "cannot open an SSH session on " + target + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private SSHClient client(SshTarget target) {
        SSHClient client = pool.get(target);
        if (client != null && client.isConnected() && client.isAuthenticated()) {
            return client;
        }
        synchronized (connectLocks.computeIfAbsent(target, t -> new Object())) {
            client = pool.get(target);
            if (client != null && client.isConnected() && client.isAuthenticated()) {
                return client;
            }
            if (client != null) {
                drop(target);
            }
            client = connect(target);
            pool.put(target, client);
            return client;
        }
    }

    private SSHClient connect(SshTarget target) {
        DefaultConfig config = new DefaultConfig();
        config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        SSHClient client = new SSHClient(config);
        try {
            if (settings.acceptAnyHostKey()) {
                log.warn(
                        "{}: host key NOT checked (orchestrator.storage.accept-any-host-key=true); use only in a lab",
                        target);
                client.addHostKeyVerifier(new PromiscuousVerifier());
            } else {
                client.addHostKeyVerifier(credentials.hostKeyVerifier());
            }
            SshCredentials.Login login = credentials.login(client);
            int timeoutMs = (int) settings.connectTimeout().toMillis();
            client.setConnectTimeout(timeoutMs);
            client.getTransport().setTimeoutMs(timeoutMs);
            client.connect(target.host(), target.port());
            client.getConnection().getKeepAlive().setKeepAliveInterval((int)
                    Math.max(1, settings.keepAlive().toSeconds()));
            client.authPublickey(login.username(), login.key());
            log.info("{}: connected as {}", target, login.username());
            return client;
        } catch (TransportException e) {
            close(client);
            if (e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
                throw new StorageFabricException(
                        "host key of " + target + " is not trusted: it is missing from or differs from "
                                + "known_hosts (" + credentials.knownHostsSource()
                                + "). If the host was reinstalled, verify its new key "
                                + "and update known_hosts (ssh-keyscan -p " + target.port() + " " + target.host() + ")",
                        e);
            }
            throw unreachable(target, e);
        } catch (UserAuthException e) {
            close(client);
            throw new StorageFabricException(
                    "SSH login to " + target + " was refused: the public key of the private key in "
                            + "Secret " + settings.namespace() + "/" + settings.credentialsSecret()
                            + " must be in the user's ~/.ssh/authorized_keys on that host",
                    e);
        } catch (IOException e) {
            close(client);
            throw unreachable(target, e);
        } catch (RuntimeException e) {
            close(client);
            throw e;
        }
    }

    private static StorageFabricException unreachable(SshTarget target, IOException e) {
        return new StorageFabricException(
                "cannot reach " + target + " over SSH: " + e.getMessage()
                        + "; check that sshd runs there and the address (Node InternalIP or its SSH address annotation)",
                e);
    }

    private List<String> prefixed(List<String> argv) {
        return Stream.concat(Stream.of("sudo", "-n", "--"), argv.stream()).toList();
    }

    private CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                        in.transferTo(buffer);
                        return buffer.toString(StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "";
                    }
                },
                pumps);
    }

    private static String collect(CompletableFuture<String> output) throws IOException {
        try {
            return output.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading command output", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("command output not complete after the command ended", e);
        }
    }

    private static void kill(Session.Command cmd) {
        try {
            cmd.signal(Signal.KILL);
        } catch (IOException e) {
            log.debug("could not signal a timed-out command: {}", e.getMessage());
        }
    }

    void drop(SshTarget target) {
        SSHClient client = pool.remove(target);
        if (client != null) {
            close(client);
        }
    }

    private static void close(SSHClient client) {
        try {
            client.disconnect();
        } catch (IOException e) {
            log.debug("disconnect: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        pool.keySet().forEach(this::drop);
        pumps.shutdownNow();
    }
}
