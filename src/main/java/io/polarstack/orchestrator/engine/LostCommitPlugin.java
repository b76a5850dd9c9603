package io.polarstack.orchestrator.engine;

import java.lang.reflect.Field;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.ExecuteJobsCmd;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.jobexecutor.FailedJobListener;
import org.camunda.bpm.engine.impl.jobexecutor.JobFailureCollector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step whose commit is lost with the engine database (the database stopped while the step ran) stays locked by
 * this replica: the engine cannot record the failure either, so the step would wait out the whole lock time
 * (2 min) after the database is back. This remembers such steps and, as soon as the database answers again, gives
 * their lock back (this replica's lock only, and only while no thread of this replica runs the step), so the job
 * executor runs them again at once. Their retries stay as they were: an outage is no failed attempt. A step counts
 * as lost only when the engine could not record its failure either; one that failed while the database answered
 * keeps the retry wait the engine recorded.
 */
public class LostCommitPlugin extends AbstractProcessEnginePlugin {

    private static final Logger LOG = LoggerFactory.getLogger(LostCommitPlugin.class);
    private static final Field EXECUTE_COLLECTOR = field(ExecuteJobsCmd.class);
    private static final Field LISTENER_COLLECTOR = field(FailedJobListener.class);

    private static Field field(Class<?> type) {
        try {
            Field field = type.getDeclaredField("jobFailureCollector");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService releaser;

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        var interceptors = configuration.getCustomPreCommandInterceptorsTxRequired() == null
                ? new ArrayList<CommandInterceptor>()
                : new ArrayList<>(configuration.getCustomPreCommandInterceptorsTxRequired());
        interceptors.add(new CommandInterceptor() {
            @Override
            public <T> T execute(Command<T> command) {
                if (command instanceof ExecuteJobsCmd) {
                    return run(jobId(command, EXECUTE_COLLECTOR), command, next);
                }
                if (command instanceof FailedJobListener) {
                    return recordFailure(jobId(command, LISTENER_COLLECTOR), command, next);
                }
                return next.execute(command);
            }
        });
        configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
    }

    /**
     * The step runs. When it fails, the job stays "running" until the engine has recorded the failure (the failed-job
     * listener the job executor runs next), so the releaser never races that record.
     */
    private <T> T run(String job, Command<T> command, CommandExecutor next) {
        if (job == null) {
            return next.execute(command);
        }
        running.add(job);
        T result = next.execute(command); // a failure leaves it running: the failed-job listener follows
        running.remove(job);
        return result;
    }

    /**
     * Records a failed step. Only when this record is lost too was the commit lost with the engine database: a step
     * that failed on its own connection (say, to a managed instance) keeps its recorded retry wait.
     */
    private <T> T recordFailure(String job, Command<T> command, CommandExecutor next) {
        try {
            return next.execute(command);
        } catch (RuntimeException e) {
            if (job != null && connectionLost(e)) {
                lost.add(job);
                LOG.info(
                        "job {}: its commit was lost with the engine database; its lock is given back once"
                                + " the database answers",
                        job);
            }
            throw e;
        } finally {
            if (job != null) {
                running.remove(job);
            }
        }
    }

    /** Whether {@code job}'s lock waits to be given back; visible for tests. */
    boolean awaitingRelease(String job) {
        return lost.contains(job);
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        var configuration = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        releaser = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "lost-commit-releaser");
            thread.setDaemon(true);
            return thread;
        });
        releaser.scheduleWithFixedDelay(() -> release(configuration), 1, 1, TimeUnit.SECONDS);
    }

    private void release(ProcessEngineConfigurationImpl configuration) {
        if (lost.isEmpty()) {
            return;
        }
        String owner = configuration.getJobExecutor().getLockOwner();
        String table = configuration.getDatabaseTablePrefix() + "ACT_RU_JOB";
        for (String job : Set.copyOf(lost)) {
            if (running.contains(job)) {
                continue; // picked up again by this replica: its run decides
            }
            try {
                int released = configuration.getCommandExecutorTxRequired().execute(context -> {
                    try (PreparedStatement update = context.getDbSqlSession()
                            .getSqlSession()
                            .getConnection()
                            .prepareStatement("UPDATE " + table + " SET LOCK_OWNER_ = NULL, LOCK_EXP_TIME_ = NULL,"
                                    + " REV_ = REV_ + 1 WHERE ID_ = ? AND LOCK_OWNER_ = ?")) {
                        update.setString(1, job);
                        update.setString(2, owner);
                        return update.executeUpdate();
                    } catch (SQLException e) {
                        throw new org.camunda.bpm.engine.ProcessEngineException(e.getMessage(), e);
                    }
                });
                lost.remove(job);
                if (released > 0) {
                    LOG.info("job {}: lock given back after the engine database returned; it runs again now", job);
                    configuration.getJobExecutor().jobWasAdded();
                } else {
                    LOG.info("job {}: no longer locked by {} (done or taken over meanwhile)", job, owner);
                }
            } catch (RuntimeException e) {
                LOG.debug("job {}: lock not given back yet: {}", job, e.getMessage());
                return; // the database is still away; next round
            }
        }
    }

    private static String jobId(Command<?> command, Field collector) {
        try {
            var failures = (JobFailureCollector) collector.get(command);
            return failures == null ? null : failures.getJobId();
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    /**
     * A connection that broke, was ended by a server shutdown, could not be had (the pool's timeout), or a
     * transaction end the database did not take.
     */
    static boolean connectionLost(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // A commit or rollback the database did not take: the session's original error is lost behind it.
            if (t instanceof SQLTransientConnectionException
                    || t instanceof org.springframework.transaction.TransactionSystemException) {
                return true;
            }
            // 08: connection exception; 57P: the server shut down or restarted under the session.
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }
}
