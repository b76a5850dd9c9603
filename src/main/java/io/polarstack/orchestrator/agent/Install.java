package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code install}: prepares an instance's data directory so that {@code start} can run it. Idempotent: a finished
 * install (marker {@code ins_install_step} = done, no prepare marker) is left alone; an unfinished one is redone.
 */
final class Install {

    static final String DONE_MARKER = "ins_install_step";
    /** Kept in the log directory, which a base backup does not copy, so a copied done marker cannot fool us. */
    static final String PREPARE_MARKER = "ins_install_prepare";
    /** Files of the manager in the data directory that must not travel from the RW to a RO by the base backup. */
    static final List<String> INSTANCE_FILES = List.of(
            "ins_lock",
            DONE_MARKER,
            "ins_ctx",
            "ins_logic_id",
            PostgresqlFlavour.DISKFULL_MARKER,
            "postmaster.opts",
            "standby.signal",
            "recovery.conf");

    private Install() {}

    static Map<String, Object> run(Instance instance, Request request) {
        InstallSpec spec = InstallSpec.from(request, instance.flavour());
        // Runs under the instance lock (InstanceLock, taken by ManagerAgent): an install whose caller went away goes
        // on; the step's retry waits for it there and then finds it done instead of redoing it alongside.
        return run(instance, spec);
    }

    private static Map<String, Object> run(Instance instance, InstallSpec spec) {
        Flavour flavour = instance.flavour();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("dataDir", instance.dataDir().toString());
        if (done(instance)) {
            result.put("skipped", true);
            result.put("reason", "already installed");
            return result;
        }
        mkdirs(instance.dataDir(), true);
        mkdirs(instance.logDir().resolve("pg_log"), false);
        write(instance.logDir().resolve(PREPARE_MARKER), "prepare\n");
        Failover.discardSavedFiles(instance);

        boolean reused = false;
        if (spec.role() == InstallSpec.Role.RW) {
            if (instance.installed()) {
                reused = true;
            } else {
                requireEmpty(instance.dataDir());
                flavour.initPrimary(instance, spec);
            }
        } else if (spec.mode() == InstallSpec.Mode.SHARE) {
            clear(instance.dataDir());
            flavour.initSharedReplica(instance, spec);
        } else {
            clear(instance.dataDir());
            baseBackup(instance, spec);
        }
        for (String f : INSTANCE_FILES) {
            delete(instance.dataDir().resolve(f));
        }

        ConfFile conf = ConfFile.read(spec.confTemplate().orElse(instance.conf()));
        conf.setAll(connectionParams(instance, spec));
        conf.setAll(spec.params());
        conf.setAll(flavour.instanceParams(spec));
        if (spec.role() == InstallSpec.Role.RO) {
            flavour.configureStandby(instance, spec, conf);
        }
        conf.write(instance.conf());
        writeHba(instance, spec);
        linkLogDir(instance);

        if (spec.lockInstall()) {
            instance.lock();
        }
        spec.logicInsId().ifPresent(id -> write(instance.dataDir().resolve("ins_logic_id"), id + "\n"));
        write(
                instance.dataDir().resolve("ins_ctx"),
                "{\"storage_type\":\"" + (spec.mode() == InstallSpec.Mode.SHARE ? "fcsan" : "local")
                        + "\",\"ins_logic_id\":\"" + spec.logicInsId().orElse("") + "\"}\n");
        write(instance.dataDir().resolve(DONE_MARKER), "done\n");
        delete(instance.logDir().resolve(PREPARE_MARKER));

        result.put("skipped", false);
        result.put("role", spec.role().name().toLowerCase());
        result.put("reusedDataDir", reused);
        result.put("port", spec.port());
        spec.slotName().ifPresent(s -> result.put("primarySlotName", s));
        result.put("locked", instance.locked());
        return result;
    }

    static boolean done(Instance instance) {
        Path marker = instance.dataDir().resolve(DONE_MARKER);
        try {
            return Files.exists(marker)
                    && Files.readString(marker).strip().equals("done")
                    && !Files.exists(instance.logDir().resolve(PREPARE_MARKER));
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot read " + marker + ": " + e.getMessage(), e);
        }
    }

    /** Settings that tie the instance to its port and socket; the socket directory is the data directory by default. */
    static Map<String, String> connectionParams(Instance instance, InstallSpec spec) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("port", Integer.toString(spec.port()));
        p.put("listen_addresses", spec.listenAddresses());
        p.put("unix_socket_directories", instance.socketDir().toString());
        return p;
    }

    /** The host's pg_hba.conf wins when it exists (as in PolarDB Stack); otherwise local superuser and password lines. */
    static void writeHba(Instance instance, InstallSpec spec) {
        Path target = instance.dataDir().resolve("pg_hba.conf");
        if (Files.isReadable(spec.hostHbaFile())) {
            try {
                Files.copy(spec.hostHbaFile(), target, StandardCopyOption.REPLACE_EXISTING);
                return;
            } catch (IOException e) {
                throw new AgentException(
                        ErrorCode.INTERNAL,
                        "cannot copy " + spec.hostHbaFile() + " to " + target + ": " + e.getMessage(),
                        e);
            }
        }
        write(target, hba(spec, instance.flavour().hostAuthMethod()));
    }

    static String hba(InstallSpec spec, String method) {
        StringBuilder s = new StringBuilder("# written by the manager agent\n");
        // The socket lives in the data directory (mode 0700), so only the postgres OS user can reach it.
        s.append("local   all          postgres                 trust\n");
        s.append("local   replication  postgres                 trust\n");
        for (String cidr : spec.hbaCidrs()) {
            s.append(String.format("host    all          all      %-18s %s%n", cidr, method));
            s.append(String.format("host    replication  all      %-18s %s%n", cidr, method));
        }
        return s.toString();
    }

    /** The RO's copy of the RW: a streamed base backup through the slot the RW keeps for it. */
    static void baseBackup(Instance instance, InstallSpec spec) {
        InstallSpec.Primary primary = spec.primary().orElseThrow();
        List<String> argv = baseBackupArgv(instance, spec);
        Commands.Result r = instance.commands()
                .run(
                        argv,
                        Map.of("PGPASSWORD", primary.password(), "PGCONNECT_TIMEOUT", "10"),
                        instance.deadline().remaining());
        if (!r.ok()) {
            String hint = r.output().contains("replication slot")
                    ? "; create slot " + spec.slotName().orElseThrow() + " on the RW with slot-create first"
                    : "";
            throw new AgentException(
                    ErrorCode.COMMAND_FAILED,
                    "base backup from " + primary.host() + ":" + primary.port() + " failed (exit " + r.exitCode()
                            + "): " + Commands.tail(r.output()) + hint);
        }
    }

    static List<String> baseBackupArgv(Instance instance, InstallSpec spec) {
        InstallSpec.Primary primary = spec.primary().orElseThrow();
        return List.of(
                instance.bin("pg_basebackup"),
                "-D",
                instance.dataDir().toString(),
                "-h",
                primary.host(),
                "-p",
                Integer.toString(primary.port()),
                "-U",
                primary.user(),
                "-X",
                "stream",
                "-S",
                spec.slotName().orElseThrow(),
                "-c",
                "fast",
                "-w",
                "--no-manifest");
    }

    /** {@code <data>/log} points at {@code <log>/pg_log}, where the engine's own log files go. */
    static void linkLogDir(Instance instance) {
        Path link = instance.dataDir().resolve("log");
        Path target = instance.logDir().resolve("pg_log");
        try {
            if (Files.isSymbolicLink(link) || !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, target);
            }
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL, "cannot link " + link + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private static void requireEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("lost+found"))
                    .toList();
            if (!names.isEmpty()) {
                throw new AgentException(
                        ErrorCode.INVALID_ARGUMENT,
                        "data directory " + dir + " holds no database cluster but is not empty "
                                + names.subList(0, Math.min(5, names.size()))
                                + "; empty it or point 'dataDir' elsewhere");
            }
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Empties a directory (it may be a mount point, so it stays). Only for ROs, whose data is a copy. */
    private static void clear(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> all = new ArrayList<>();
            for (Path top : entries.filter(p -> !p.getFileName().toString().equals("lost+found"))
                    .toList()) {
                if (Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> walk = Files.walk(top)) {
                        walk.sorted(Comparator.reverseOrder()).forEach(all::add);
                    }
                } else {
                    all.add(top);
                }
            }
            for (Path p : all) {
                Files.delete(p);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot empty " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void mkdirs(Path dir, boolean privateDir) {
        try {
            Files.createDirectories(dir);
            if (privateDir) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new AgentException(
                    ErrorCode.INTERNAL,
                    "cannot create " + dir + ": " + e.getMessage()
                            + "; it must be writable by the user the agent runs as",
                    e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new AgentException(ErrorCode.INTERNAL, "cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
