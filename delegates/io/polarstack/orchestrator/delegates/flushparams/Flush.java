package io.polarstack.orchestrator.delegates.flushparams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/** The variables of a FlushParams: the plan's values as JSON strings (small, and no Java serialization). */
final class Flush {

    /** name to value every instance gets. */
    static final String CHANGES = "flushChanges";
    /** user entries forced back to the template default. */
    static final String FORCED_BACK = "flushForcedBack";
    /** RW first, then the ROs. */
    static final String INS_IDS = "flushInsIds";

    static final String NO_OP = "flushNoOp";
    static final String RESTART_NEEDED = "flushRestartNeeded";
    /** The changed names that need a restart, comma-separated. */
    static final String RESTART_PARAMS = "flushRestartParams";
    /** The changed names a reload applies, comma-separated. */
    static final String RELOAD_PARAMS = "flushReloadParams";

    /** The annotation PolarDB Stack sets when a flush needs a restart. */
    static final String RESTART_ANNOTATION = "flushParamsRestartCluster";
    /** The annotation of {@code <cluster>-user-params}: when the last flush ended. */
    static final String LATEST_FLUSH_TIME = "latestFlushTime";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Flush() {}

    static String json(Map<String, String> values) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> map(DelegateExecution execution, String variable) {
        Object value = execution.getVariable(variable);
        if (value == null) {
            return Map.of();
        }
        try {
            return JSON.readValue((String) value, new TypeReference<TreeMap<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("variable " + variable + " is not a JSON map: " + e.getMessage(), e);
        }
    }
}
