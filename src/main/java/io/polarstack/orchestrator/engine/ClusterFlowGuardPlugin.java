package io.polarstack.orchestrator.engine;

import io.polarstack.orchestrator.api.FlowKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One flow per cluster, enforced in the engine's own database: a top-level process instance that carries the
 * {@code clusterNamespace}/{@code clusterName} variables (a cluster flow, as {@link ClusterStatusPlugin} calls it)
 * inserts its cluster into {@code PS_CLUSTER_FLOW} when it starts and deletes it when it ends. The table's primary
 * key refuses a second insert, so a start while another flow of the cluster is active fails inside its own
 * transaction with {@link ClusterBusyException}, whichever replica or API (operator, domain REST, /engine-rest) it
 * came from; two replicas racing wait on each other's insert and exactly one wins. Called flows (call activities)
 * run under their caller's row. The listeners are built-in ones: a delete from Cockpit with "skip custom listeners"
 * still frees the row. A row whose instance no longer exists (ended behind the engine's back) is taken over.
 */
public class ClusterFlowGuardPlugin extends AbstractProcessEnginePlugin {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterFlowGuardPlugin.class);

    public static final String TABLE = "PS_CLUSTER_FLOW";
    static final String SCHEMA = "db/cluster-flow-guard.sql";

    private String table;
    private String executions;

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        String prefix = configuration.getDatabaseTablePrefix() == null ? "" : configuration.getDatabaseTablePrefix();
        table = prefix + TABLE;
        executions = prefix + "ACT_RU_EXECUTION";
        if (configuration.getCustomPreBPMNParseListeners() == null) {
            configuration.setCustomPreBPMNParseListeners(new ArrayList<>());
        }
        configuration.getCustomPreBPMNParseListeners().add(new AbstractBpmnParseListener() {
            @Override
            public void parseProcess(Element element, ProcessDefinitionEntity process) {
                // Pre-parse and built in: the row is taken before any other start listener runs, and given back
                // even when a delete skips custom listeners.
                process.addBuiltInListener(ExecutionListener.EVENTNAME_START, (ExecutionListener) e -> take(e));
                process.addBuiltInListener(ExecutionListener.EVENTNAME_END, (ExecutionListener) e -> release(e));
            }
        });
    }

    /** Creates the table when missing, then gives the flows that ran before the guard existed their rows. */
    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        var configuration = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
        String ddl = schema().replace("${prefix}", table.substring(0, table.length() - TABLE.length()));
        try {
            inTransaction(configuration, connection -> {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(ddl);
                }
                return null;
            });
        } catch (RuntimeException e) {
            // Two replicas starting at once may both create it; the loser's CREATE fails although the table exists.
            if (!tableExists(configuration)) {
                throw new ProcessEngineException(
                        "cannot create the cluster flow guard table " + table + " (" + SCHEMA + "): " + e.getMessage()
                                + "; the engine database user needs the right to create tables, or a DBA runs "
                                + SCHEMA,
                        e);
            }
        }
        adoptRunningFlows(engine, configuration);
    }

    private boolean tableExists(ProcessEngineConfigurationImpl configuration) {
        try {
            return inTransaction(configuration, connection -> {
                try (Statement statement = connection.createStatement()) {
                    statement.executeQuery("SELECT COUNT(*) FROM " + table).close();
                    return true;
                }
            });
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String schema() {
        try (InputStream in = ClusterFlowGuardPlugin.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA + " is missing from the classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> !l.strip().startsWith("--")).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SCHEMA, e);
        }
    }

    /** Cluster flows already running when the guard came (an upgrade) get their rows, so a new start sees them. */
    private void adoptRunningFlows(ProcessEngine engine, ProcessEngineConfigurationImpl configuration) {
        var runtime = engine.getRuntimeService();
        Set<String> roots = runtime.createProcessInstanceQuery().rootProcessInstances().list().stream()
                .map(p -> p.getId())
                .collect(Collectors.toSet());
        if (roots.isEmpty()) {
            return;
        }
        Map<String, Map<String, Object>> clusterVariables = new HashMap<>();
        runtime.createVariableInstanceQuery()
                .variableNameIn(FlowKeys.NAMESPACE, FlowKeys.NAME)
                .list()
                .forEach(v -> {
                    if (v.getExecutionId() != null
                            && v.getExecutionId().equals(v.getProcessInstanceId())
                            && roots.contains(v.getProcessInstanceId())) {
                        clusterVariables
                                .computeIfAbsent(v.getProcessInstanceId(), id -> new HashMap<>())
                                .put(v.getName(), v.getValue());
                    }
                });
        for (var entry : clusterVariables.entrySet()) {
            Object namespace = entry.getValue().get(FlowKeys.NAMESPACE);
            Object name = entry.getValue().get(FlowKeys.NAME);
            if (namespace == null || name == null) {
                continue;
            }
            String cluster = FlowKeys.businessKey(namespace.toString(), name.toString());
            var instance = runtime.createProcessInstanceQuery()
                    .processInstanceId(entry.getKey())
                    .singleResult();
            if (instance == null) {
                continue;
            }
            String flow = FlowKeys.ofDefinition(instance.getProcessDefinitionId());
            try {
                inTransaction(configuration, connection -> {
                    if (holder(connection, cluster) == null) {
                        insert(connection, cluster, entry.getKey(), flow);
                        LOG.info(
                                "cluster {}: {} ({}) was running before the flow guard; it holds the cluster now",
                                cluster,
                                flow,
                                entry.getKey());
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.warn(
                        "cluster {}: cannot record that {} ({}) holds it: {}",
                        cluster,
                        flow,
                        entry.getKey(),
                        e.getMessage());
            }
        }
    }

    private void take(DelegateExecution execution) throws SQLException {
        var entity = (ExecutionEntity) execution;
        if (entity.getSuperExecutionId() != null || entity.getSuperCaseExecutionId() != null) {
            return; // a called flow runs under its caller's row
        }
        String cluster = clusterOf(execution);
        if (cluster == null) {
            return; // not a cluster flow (BuildImages, ConnectivityCheck)
        }
        String flow = entity.getProcessDefinition().getKey();
        if (!cluster.equals(execution.getProcessBusinessKey())) {
            // Every check for a cluster's flow (the operator's, Cockpit's list) goes by the business key.
            throw new BadUserRequestException(flow + " for cluster " + cluster + " must be started with business key "
                    + cluster + ", not "
                    + (execution.getProcessBusinessKey() == null
                            ? "none"
                            : "'" + execution.getProcessBusinessKey() + "'"));
        }
        Connection connection = connection(Context.getCommandContext());
        String[] held = holder(connection, cluster);
        if (held != null) {
            if (instanceExists(connection, held[0])) {
                throw new ClusterBusyException(cluster, held[1], held[0]);
            }
            // Its instance is gone without its end listener (removed in the database by hand): the row is stale.
            // Only that row goes; a racing start waits on it and then meets our insert.
            try (PreparedStatement delete =
                    connection.prepareStatement("DELETE FROM " + table + " WHERE CLUSTER_ = ? AND PROC_INST_ID_ = ?")) {
                delete.setString(1, cluster);
                delete.setString(2, held[0]);
                if (delete.executeUpdate() > 0) {
                    LOG.warn(
                            "cluster {}: {} ({}) held it but no longer exists; the cluster is free again",
                            cluster,
                            held[1],
                            held[0]);
                }
            }
        }
        Savepoint before = connection.setSavepoint();
        try {
            insert(connection, cluster, execution.getProcessInstanceId(), flow);
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                throw e; // not the primary key: a database problem, not a refusal
            }
            // Another start of this cluster committed first (we waited for it); name it.
            connection.rollback(before);
            String[] winner = holder(connection, cluster);
            throw new ClusterBusyException(
                    cluster, winner == null ? null : winner[1], winner == null ? null : winner[0]);
        }
        connection.releaseSavepoint(before);
    }

    private void release(DelegateExecution execution) throws SQLException {
        var entity = (ExecutionEntity) execution;
        if (entity.getSuperExecutionId() != null || entity.getSuperCaseExecutionId() != null) {
            return;
        }
        // No variable look-up: on a delete they may be gone already; a flow without a row deletes nothing.
        try (PreparedStatement delete = connection(Context.getCommandContext())
                .prepareStatement("DELETE FROM " + table + " WHERE PROC_INST_ID_ = ?")) {
            delete.setString(1, execution.getProcessInstanceId());
            delete.executeUpdate();
        }
    }

    static String clusterOf(DelegateExecution execution) {
        Object namespace = execution.getVariable(FlowKeys.NAMESPACE);
        Object name = execution.getVariable(FlowKeys.NAME);
        return namespace == null || name == null ? null : FlowKeys.businessKey(namespace.toString(), name.toString());
    }

    /** {instance id, process key} of the row holding {@code cluster}, or null. */
    private String[] holder(Connection connection, String cluster) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT PROC_INST_ID_, PROC_DEF_KEY_ FROM " + table + " WHERE CLUSTER_ = ?")) {
            select.setString(1, cluster);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new String[] {row.getString(1), row.getString(2)} : null;
            }
        }
    }

    private boolean instanceExists(Connection connection, String instanceId) throws SQLException {
        try (PreparedStatement select =
                connection.prepareStatement("SELECT COUNT(*) FROM " + executions + " WHERE ID_ = ?")) {
            select.setString(1, instanceId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getLong(1) > 0;
            }
        }
    }

    private void insert(Connection connection, String cluster, String instanceId, String flow) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + table + " (CLUSTER_, PROC_INST_ID_, PROC_DEF_KEY_, STARTED_) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, cluster);
            insert.setString(2, instanceId);
            insert.setString(3, flow);
            insert.setTimestamp(4, new Timestamp(ClockUtil.getCurrentTime().getTime()));
            insert.executeUpdate();
        }
    }

    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private static <T> T inTransaction(ProcessEngineConfigurationImpl configuration, SqlWork<T> work) {
        return configuration.getCommandExecutorTxRequired().execute(context -> {
            try {
                return work.run(connection(context));
            } catch (SQLException e) {
                throw new ProcessEngineException(e.getMessage(), e);
            }
        });
    }

    /** The connection of the engine's transaction: the guard's rows commit or roll back with the flow's start. */
    private static Connection connection(CommandContext context) {
        return context.getDbSqlSession().getSqlSession().getConnection();
    }
}
