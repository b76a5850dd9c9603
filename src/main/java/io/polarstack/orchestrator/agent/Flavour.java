package io.polarstack.orchestrator.agent;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What differs between the engines the agent drives: PolarDB for PostgreSQL 11 (shared storage, PFS, the
 * {@code polar_*} parameters) and plain PostgreSQL (local volumes, streaming replicas).
 */
public interface Flavour {

    static Flavour named(String name) {
        if (name == null) {
            throw AgentException.invalid("request field 'flavour' is required (polardb or postgresql), "
                    + "or set POLARSTACK_ENGINE_FLAVOUR in the manager container");
        }
        return switch (name) {
            case "polardb" -> new PolardbFlavour();
            case "postgresql" -> new PostgresqlFlavour();
            default ->
                throw AgentException.invalid(
                        "request field 'flavour' '" + Request.printable(name) + "' is not one of polardb, postgresql");
        };
    }

    String name();

    Path defaultBinDir();

    /** The pg_hba method for password logins over TCP. */
    String hostAuthMethod();

    /** initdb for a new RW: UTF8, no locale, data checksums, superuser postgres. */
    default List<String> initdb(Instance instance) {
        return List.of(
                instance.bin("initdb"),
                "-D",
                instance.dataDir().toString(),
                "-U",
                "postgres",
                "--encoding=UTF8",
                "--no-locale",
                "--data-checksums",
                "--auth-local=trust",
                "--auth-host=" + hostAuthMethod());
    }

    /**
     * Role attributes for a privilege type of the original manager (1 ordinary admin, 6 polar superuser,
     * 7 aurora superuser, 15 replicator). Constant SQL keywords, never request text.
     */
    String roleAttributes(int privilege);

    /** Extra roles granted for a privilege type (empty for most). */
    default List<String> grantedRoles(int privilege) {
        return List.of();
    }

    /** Privilege types that get the superuser session defaults. */
    default boolean superuserDefaults(int privilege) {
        return privilege == 6 || privilege == 7 || privilege == 15;
    }

    /** Installs a RW whose data directory is new: the flavour's initdb (and, on shared storage, its copy). */
    void initPrimary(Instance instance, InstallSpec spec);

    /** Fixed parameters of an installed instance (storage identity for PolarDB; wal_log_hints for PostgreSQL). */
    Map<String, String> instanceParams(InstallSpec spec);

    /** Writes the standby configuration of a RO; {@code conf} is its postgresql.conf, already loaded. */
    void configureStandby(Instance instance, InstallSpec spec, ConfFile conf);

    /** Creates a RO in share mode from the shared data directory. */
    void initSharedReplica(Instance instance, InstallSpec spec);

    void lockDiskFull(Instance instance, Database db);

    void unlockDiskFull(Instance instance, Database db);

    boolean diskFullLocked(Instance instance);

    Map<String, Object> growStorage(Instance instance, Request request);

    String systemIdentifier(Instance instance);

    /** Refuses ({@code NOT_SUPPORTED}) a failover action ({@link Failover}) that does not apply to this instance. */
    default void checkFailoverAction(Instance instance, Action action) {}
}
