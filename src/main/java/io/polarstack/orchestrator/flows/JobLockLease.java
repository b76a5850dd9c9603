package io.polarstack.orchestrator.flows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the running job's lock while a step does work that may outlast it (an image build, a clone): every third of
 * the lock time the lock's expiry is moved one lock time ahead, so neither this job executor nor another replica's
 * acquires the job again while it runs. If this process dies the renewals stop and the lock runs out as usual, and
 * another replica runs the step again. Only the expiry changes, not the row's version: the step's own commit still
 * matches the row it locked. A step run outside the job executor (the {@code image build} command, a test's {@code
 * executeJob}) holds no lock and gets a lease that does nothing.
 */
public final class JobLockLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobLockLease.class);

    private static final ScheduledExecutorService RENEWALS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "job-lock-lease");
        thread.setDaemon(true);
        return thread;
    });

    private final ScheduledFuture<?> renewal;

    private JobLockLease(ScheduledFuture<?> renewal) {
        this.renewal = renewal;
    }

    /** The lease of the job this thread runs now; call it inside a step, close it when the work is done. */
    public static JobLockLease hold() {
        var executorContext = Context.getJobExecutorContext();
        var job = executorContext == null ? null : executorContext.getCurrentJob();
        var configuration = Context.getProcessEngineConfiguration();
        if (job == null || job.getLockOwner() == null || configuration == null) {
            return new JobLockLease(null);
        }
        long lockTime = configuration.getJobExecutor().getLockTimeInMillis();
        var lock = new Lock(
                configuration.getDataSource(),
                configuration.getDatabaseTablePrefix() + "ACT_RU_JOB",
                job.getId(),
                job.getLockOwner(),
                lockTime);
        long every = Math.max(lockTime / 3, 1);
        return new JobLockLease(RENEWALS.scheduleWithFixedDelay(lock::renew, every, every, TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        if (renewal != null) {
            renewal.cancel(false);
        }
    }

    private record Lock(DataSource dataSource, String table, String jobId, String owner, long lockTime) {

        void renew() {
            // Only while this owner still holds it: a failed or finished job has no owner, a released one another.
            String sql = "UPDATE " + table + " SET LOCK_EXP_TIME_ = ? WHERE ID_ = ? AND LOCK_OWNER_ = ?";
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement update = connection.prepareStatement(sql)) {
                update.setTimestamp(1, new Timestamp(ClockUtil.getCurrentTime().getTime() + lockTime));
                update.setString(2, jobId);
                update.setString(3, owner);
                int renewed = update.executeUpdate();
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
                if (renewed == 0) {
                    LOG.debug("job {}: its lock is no longer held by {}; not renewed", jobId, owner);
                }
            } catch (SQLException | RuntimeException e) {
                // The lock runs out unless a later renewal gets through (the engine database may be back by then).
                LOG.warn("job {}: cannot renew its lock: {}", jobId, e.getMessage());
            }
        }
    }
}
