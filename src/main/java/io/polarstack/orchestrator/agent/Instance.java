package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The engine instance an action works on: where its data, logs, binaries and socket are, and how to reach it.
 * Paths come from the request, else from the environment of the manager container, else the image defaults
 * ({@code /data}, {@code /log}), so tests and the local runtime point them at scratch directories.
 */
public final class Instance {

    private final Flavour flavour;
    private final Path dataDir;
    private final Path logDir;
    private final Path binDir;
    private final Path socketDir;
    private final Integer port;
    private final boolean supervised;
    private final AgentLog log;
    private final Deadline deadline;
    private final Commands commands;

    Instance(
            Flavour flavour,
            Path dataDir,
            Path logDir,
            Path binDir,
            Path socketDir,
            Integer port,
            boolean supervised,
            AgentLog log,
            Deadline deadline,
            Commands commands) {
        this.flavour = flavour;
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.binDir = binDir;
        this.socketDir = socketDir;
        this.port = port;
        this.supervised = supervised;
        this.log = log;
        this.deadline = deadline;
        this.commands = commands;
    }

    /** Builds the instance from the request's common fields and the environment. */
    static Instance from(Request request, Map<String, String> env, AgentLog log, Deadline deadline) {
        Flavour flavour = Flavour.named(request.optString("flavour").orElse(env.get("POLARSTACK_ENGINE_FLAVOUR")));
        Path dataDir = request.optPath("dataDir").orElse(Path.of(env.getOrDefault("POLARSTACK_DATA_DIR", "/data")));
        Path logDir = request.optPath("logDir").orElse(Path.of(env.getOrDefault("POLARSTACK_LOG_DIR", "/log")));
        Path binDir = request.optPath("binDir")
                .orElse(
                        env.containsKey("POLARSTACK_PG_BIN")
                                ? Path.of(env.get("POLARSTACK_PG_BIN"))
                                : flavour.defaultBinDir());
        // The socket directory, like the pg helper's POLARSTACK_SOCKET_DIR: outside the data directory a RW can be
        // the source of pg_rewind, which fails on a socket file among the data (see Failover).
        Path socketDir = request.optPath("socketDir")
                .orElse(env.containsKey("POLARSTACK_SOCKET_DIR") ? Path.of(env.get("POLARSTACK_SOCKET_DIR")) : dataDir);
        Integer port = request.optLong("port", 1, 65535).map(Long::intValue).orElse(null);
        boolean supervised = request.bool(
                "supervised", Boolean.parseBoolean(env.getOrDefault("POLARSTACK_ENGINE_SUPERVISED", "false")));
        return new Instance(
                flavour,
                dataDir,
                logDir,
                binDir,
                socketDir,
                port,
                supervised,
                log,
                deadline,
                new Commands(log, deadline));
    }

    public Flavour flavour() {
        return flavour;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logDir() {
        return logDir;
    }

    public Path socketDir() {
        return socketDir;
    }

    public boolean supervised() {
        return supervised;
    }

    public AgentLog log() {
        return log;
    }

    public Deadline deadline() {
        return deadline;
    }

    public Commands commands() {
        return commands;
    }

    /** What pg_controldata prints for the data directory (the commands run with LC_ALL=C: English labels). */
    String controlData() {
        return commands.require(
                        "pg_controldata of " + dataDir(),
                        java.util.List.of(bin("pg_controldata"), "-D", dataDir().toString()))
                .stdout();
    }

    public String bin(String program) {
        return binDir.resolve(program).toString();
    }

    public Path conf() {
        return dataDir.resolve("postgresql.conf");
    }

    /** The engine port: the request's, else the {@code port} line of postgresql.conf, else the server default. */
    public int port() {
        if (port != null) {
            return port;
        }
        String value = ConfFile.read(conf()).get("port").orElse("5432");
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new AgentException(
                    ErrorCode.INVALID_ARGUMENT,
                    conf() + " has port '" + Request.printable(value)
                            + "', which is not a number; fix the file or pass 'port' in the request");
        }
    }

    public Path socketFile() {
        return socketDir.resolve(".s.PGSQL." + port());
    }

    public boolean installed() {
        return Files.exists(dataDir.resolve("PG_VERSION"));
    }

    /** Fails with {@code NOT_INSTALLED} when the data directory holds no cluster. */
    public void requireInstalled() {
        if (!installed()) {
            throw new AgentException(
                    ErrorCode.NOT_INSTALLED,
                    "no database cluster in " + dataDir + " (PG_VERSION missing); run install first");
        }
    }

    /** The stop lock: while it exists the instance stays down (the engine container's supervisor honours it too). */
    public Path lockFile() {
        return dataDir.resolve("ins_lock");
    }

    public boolean locked() {
        return Files.exists(lockFile());
    }

    public void lock() {
        try {
            if (!locked()) {
                Files.writeString(lockFile(), "locked by the manager agent\n");
                log.info("created %s", lockFile());
            }
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL, "cannot create the lock file " + lockFile() + ": " + e.getMessage(), e);
        }
    }

    public void unlock() {
        try {
            if (Files.deleteIfExists(lockFile())) {
                log.info("removed %s", lockFile());
            }
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL, "cannot remove the lock file " + lockFile() + ": " + e.getMessage(), e);
        }
    }

    /** Whether a postmaster runs on this data directory ({@code pg_ctl status}: 0 running, 3 not running). */
    public boolean postmasterRunning() {
        if (!installed()) {
            return false;
        }
        return commands.run(List.of(bin("pg_ctl"), "status", "-D", dataDir.toString()))
                        .exitCode()
                == 0;
    }

    /** A standby, by its configuration files (works while the engine is down). */
    public boolean standbyConfigured() {
        return Files.exists(dataDir.resolve("standby.signal")) || Files.exists(dataDir.resolve("recovery.conf"));
    }
}
