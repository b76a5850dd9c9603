package io.polarstack.orchestrator.engine;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks jobs under this replica's identity (instead of a random id per start) and, before the job executor starts,
 * releases the locks that the same identity left behind when it died (kill -9, OOM, node loss). Without this a
 * restarted replica waits out the lock time (2 min) before it resumes the steps that were running when it died.
 * Only this identity's locks are released; another replica's are never touched. So the identity must be unique per
 * replica (it already must be, for the Lease) and stable across its restarts to help: a StatefulSet pod name. The
 * default (host name and pid) changes on every start, and then nothing is released.
 */
public class JobLockOwnerPlugin extends AbstractProcessEnginePlugin {

    private static final Logger LOG = LoggerFactory.getLogger(JobLockOwnerPlugin.class);

    private final String owner;

    public JobLockOwnerPlugin(String owner) {
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("a lock owner is required");
        }
        this.owner = owner;
    }

    @Override
    public void postInit(ProcessEngineConfigurationImpl configuration) {
        configuration.getJobExecutor().setLockOwner(owner);
    }

    /** Runs while the engine is built, so before the job executor acquires anything under this owner. */
    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        var configuration = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        String table = configuration.getDatabaseTablePrefix() + "ACT_RU_JOB";
        int released = configuration.getCommandExecutorTxRequired().execute(context -> release(context, table));
        if (released > 0) {
            LOG.info(
                    "released {} step(s) that this replica ({}) had locked before it stopped; they run again now",
                    released,
                    owner);
        }
    }

    private int release(CommandContext context, String table) {
        // REV_ is the engine's optimistic-lock version: bumped, as every engine update of a job row does.
        String sql = "UPDATE " + table
                + " SET LOCK_OWNER_ = NULL, LOCK_EXP_TIME_ = NULL, REV_ = REV_ + 1 WHERE LOCK_OWNER_ = ?";
        try (PreparedStatement update =
                context.getDbSqlSession().getSqlSession().getConnection().prepareStatement(sql)) {
            update.setString(1, owner);
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new ProcessEngineException(
                    "cannot release the job locks of " + owner + " in " + table + ": " + e.getMessage(), e);
        }
    }
}
