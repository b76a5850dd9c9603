package io.polarstack.orchestrator.agent;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The engine parameters a user may set (a class's params, the {@code <cluster>-user-params} and
 * {@code <cluster>-running-params} ConfigMaps, a params update): an allow list per flavour, the one place it is kept.
 * README "Engine parameters" documents it.
 *
 * <p>An allow list, because a deny list misses what it did not think of: a parameter that runs a command
 * ({@code archive_command}, {@code restore_command}), loads code ({@code shared_preload_libraries},
 * {@code dynamic_library_path}), reads or writes a path ({@code include_dir}, {@code ssl_cert_file},
 * {@code log_directory}), or that the orchestrator owns (port, addresses, replication, {@code synchronous_standby_names},
 * which the HA monitor sets) is simply not on it. The conf template of the engine image sets those where needed.
 */
public final class EngineParameters {

    /** Where the list is documented, named in every refusal. */
    public static final String DOCUMENTED = "README.md, section 'Engine parameters'";

    /** Tuning parameters of both PostgreSQL 15 and PolarDB for PostgreSQL 11 (PostgreSQL 11). */
    static final Set<String> COMMON = Set.of(
            // connections
            "max_connections",
            "superuser_reserved_connections",
            "tcp_keepalives_idle",
            "tcp_keepalives_interval",
            "tcp_keepalives_count",
            "authentication_timeout",
            // memory
            "shared_buffers",
            "huge_pages",
            "temp_buffers",
            "max_prepared_transactions",
            "work_mem",
            "maintenance_work_mem",
            "autovacuum_work_mem",
            "max_stack_depth",
            "temp_file_limit",
            "max_files_per_process",
            "vacuum_cost_delay",
            "vacuum_cost_page_hit",
            "vacuum_cost_page_miss",
            "vacuum_cost_page_dirty",
            "vacuum_cost_limit",
            "bgwriter_delay",
            "bgwriter_lru_maxpages",
            "bgwriter_lru_multiplier",
            "bgwriter_flush_after",
            "backend_flush_after",
            "effective_io_concurrency",
            "max_worker_processes",
            "max_parallel_workers_per_gather",
            "max_parallel_maintenance_workers",
            "max_parallel_workers",
            "parallel_leader_participation",
            // write-ahead log and checkpoints
            "fsync",
            "synchronous_commit",
            "wal_compression",
            "wal_buffers",
            "wal_writer_delay",
            "wal_writer_flush_after",
            "commit_delay",
            "commit_siblings",
            "checkpoint_timeout",
            "checkpoint_completion_target",
            "checkpoint_flush_after",
            "checkpoint_warning",
            "max_wal_size",
            "min_wal_size",
            // replication tuning (who replicates from whom stays the orchestrator's)
            "max_wal_senders",
            "max_replication_slots",
            "wal_sender_timeout",
            "wal_receiver_timeout",
            "wal_receiver_status_interval",
            "wal_retrieve_retry_interval",
            "hot_standby_feedback",
            "max_standby_archive_delay",
            "max_standby_streaming_delay",
            // planner
            "enable_bitmapscan",
            "enable_gathermerge",
            "enable_hashagg",
            "enable_hashjoin",
            "enable_indexscan",
            "enable_indexonlyscan",
            "enable_material",
            "enable_mergejoin",
            "enable_nestloop",
            "enable_parallel_append",
            "enable_parallel_hash",
            "enable_partition_pruning",
            "enable_partitionwise_join",
            "enable_partitionwise_aggregate",
            "enable_seqscan",
            "enable_sort",
            "enable_tidscan",
            "seq_page_cost",
            "random_page_cost",
            "cpu_tuple_cost",
            "cpu_index_tuple_cost",
            "cpu_operator_cost",
            "parallel_setup_cost",
            "parallel_tuple_cost",
            "min_parallel_table_scan_size",
            "min_parallel_index_scan_size",
            "effective_cache_size",
            "jit",
            "jit_above_cost",
            "jit_inline_above_cost",
            "jit_optimize_above_cost",
            "geqo",
            "geqo_threshold",
            "geqo_effort",
            "default_statistics_target",
            "constraint_exclusion",
            "cursor_tuple_fraction",
            "from_collapse_limit",
            "join_collapse_limit",
            "plan_cache_mode",
            // logging (what and when; where stays the image's)
            "log_min_messages",
            "log_min_error_statement",
            "log_min_duration_statement",
            "log_checkpoints",
            "log_connections",
            "log_disconnections",
            "log_duration",
            "log_error_verbosity",
            "log_line_prefix",
            "log_lock_waits",
            "log_statement",
            "log_temp_files",
            "log_timezone",
            "log_autovacuum_min_duration",
            "log_rotation_age",
            "log_rotation_size",
            // statistics
            "track_activities",
            "track_counts",
            "track_io_timing",
            "track_functions",
            "track_activity_query_size",
            // autovacuum
            "autovacuum",
            "autovacuum_max_workers",
            "autovacuum_naptime",
            "autovacuum_vacuum_threshold",
            "autovacuum_analyze_threshold",
            "autovacuum_vacuum_scale_factor",
            "autovacuum_analyze_scale_factor",
            "autovacuum_freeze_max_age",
            "autovacuum_multixact_freeze_max_age",
            "autovacuum_vacuum_cost_delay",
            "autovacuum_vacuum_cost_limit",
            // client defaults
            "search_path",
            "temp_tablespaces",
            "check_function_bodies",
            "default_transaction_isolation",
            "statement_timeout",
            "lock_timeout",
            "idle_in_transaction_session_timeout",
            "vacuum_freeze_min_age",
            "vacuum_freeze_table_age",
            "vacuum_multixact_freeze_min_age",
            "vacuum_multixact_freeze_table_age",
            "bytea_output",
            "xmlbinary",
            "xmloption",
            "gin_pending_list_limit",
            "datestyle",
            "intervalstyle",
            "timezone",
            "extra_float_digits",
            "lc_messages",
            "lc_monetary",
            "lc_numeric",
            "lc_time",
            "default_text_search_config",
            "deadlock_timeout",
            "max_locks_per_transaction",
            "max_pred_locks_per_transaction",
            "max_pred_locks_per_relation",
            "max_pred_locks_per_page",
            "array_nulls",
            "backslash_quote",
            "escape_string_warning",
            "standard_conforming_strings",
            "quote_all_identifiers",
            "synchronize_seqscans",
            "transform_null_equals",
            "row_security",
            // extensions the images ship (they take effect only where the template loads them)
            "pg_stat_statements.max",
            "pg_stat_statements.track",
            "pg_stat_statements.track_utility",
            "pg_stat_statements.save",
            "auto_explain.log_min_duration",
            "auto_explain.log_analyze",
            "auto_explain.log_buffers",
            "auto_explain.log_timing",
            "auto_explain.log_nested_statements",
            "auto_explain.log_format",
            "auto_explain.sample_rate");

    /** PostgreSQL 13 to 15 only. */
    static final Set<String> POSTGRESQL = Set.of(
            "wal_keep_size",
            "max_slot_wal_keep_size",
            "hash_mem_multiplier",
            "logical_decoding_work_mem",
            "maintenance_io_concurrency",
            "autovacuum_vacuum_insert_threshold",
            "autovacuum_vacuum_insert_scale_factor",
            "idle_session_timeout",
            "client_connection_check_interval",
            "default_toast_compression",
            "enable_incremental_sort",
            "enable_memoize",
            "enable_async_append",
            "log_recovery_conflict_waits",
            "log_min_duration_sample",
            "log_statement_sample_rate",
            "log_parameter_max_length",
            "log_parameter_max_length_on_error",
            "recovery_prefetch",
            "track_wal_io_timing",
            "compute_query_id");

    /** PolarDB for PostgreSQL 11 only: PostgreSQL 11 names that later versions replaced. */
    static final Set<String> POLARDB = Set.of("wal_keep_segments");

    private EngineParameters() {}

    /** The names a user may set on {@code flavour} ({@code postgresql} or {@code polardb}), lower case. */
    public static Set<String> allowed(String flavour) {
        Set<String> own = switch (flavour) {
            case "postgresql" -> POSTGRESQL;
            case "polardb" -> POLARDB;
            default -> throw new IllegalArgumentException("no flavour " + flavour + " (postgresql, polardb)");
        };
        return Stream.concat(COMMON.stream(), own.stream()).collect(Collectors.toUnmodifiableSet());
    }

    /** The names in {@code names} a user may not set on {@code flavour}, sorted; empty when all are allowed. */
    public static List<String> refused(String flavour, Collection<String> names) {
        Set<String> allowed = allowed(flavour);
        return names.stream()
                .filter(n -> !allowed.contains(n.toLowerCase(Locale.ROOT)))
                .collect(Collectors.toCollection(TreeSet::new))
                .stream()
                .toList();
    }

    /** The refusal of {@code refused} (non-empty), naming each one, where it came from and where the list is. */
    public static String refusal(String flavour, List<String> refused, String source) {
        return (refused.size() == 1 ? "parameter " : "parameters ") + String.join(", ", refused) + " in " + source
                + (refused.size() == 1 ? " is" : " are") + " not on the " + flavour
                + " allow list of user-settable engine parameters (see " + DOCUMENTED
                + "); nothing was changed: remove " + (refused.size() == 1 ? "it" : "them") + " and try again";
    }
}
