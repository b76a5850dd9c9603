import ch.qos.logback.classic.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.camunda.bpm.engine.impl.jobexecutor.DefaultJobExecutor;
import org.camunda.bpm.engine.impl.persistence.StrongUuidGenerator;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.slf4j.LoggerFactory;

/**
 * The plain-Camunda baseline of bench/cluster-flow-overhead.py: Camunda 7 alone (no Spring, none of our plugins) with
 * the orchestrator's job executor settings, database and history level, running the same no-op model one instance at
 * a time. Prints one JSON line: [[gap ms, same thread], ...] from a step's end to the next one's start.
 * Run by the bench with the orchestrator jar's own libraries: java -cp 'lib/*' PlainCamundaSteps.java DIR STEPS WARM N
 */
class PlainCamundaSteps {

    record Event(long nanos, String thread) {}

    static final Map<String, Event> EVENTS = new ConcurrentHashMap<>();
    static final Map<String, CountDownLatch> ENDED = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        String dir = args[0];
        int steps = Integer.parseInt(args[1]), warm = Integer.parseInt(args[2]), n = Integer.parseInt(args[3]);
        String last = "Task_Noop" + steps;
        var configuration = new StandaloneProcessEngineConfiguration();
        configuration
                .setJdbcUrl("jdbc:h2:file:" + dir + "/engine;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0")
                .setJdbcUsername("sa")
                .setJdbcPassword("")
                .setDatabaseSchemaUpdate("true")
                .setHistory("full")
                .setJobExecutorActivate(true);
        configuration.setIdGenerator(new StrongUuidGenerator()); // as the Spring Boot starter does
        var jobExecutor = new DefaultJobExecutor(); // application.yml's camunda.bpm.job-execution
        jobExecutor.setCorePoolSize(3);
        jobExecutor.setMaxPoolSize(10);
        jobExecutor.setQueueSize(3);
        jobExecutor.setWaitTimeInMillis(100);
        jobExecutor.setMaxWait(2000);
        jobExecutor.setBackoffTimeInMillis(0);
        jobExecutor.setLockTimeInMillis(120000);
        configuration.setJobExecutor(jobExecutor);
        List<BpmnParseListener> listeners = new ArrayList<>();
        listeners.add(new AbstractBpmnParseListener() {
            @Override
            public void parseServiceTask(Element element, ScopeImpl scope, ActivityImpl activity) {
                activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, (ExecutionListener) e -> record(e, "start"));
                activity.addBuiltInListener(ExecutionListener.EVENTNAME_END, (ExecutionListener) e -> {
                    record(e, "end");
                    if (last.equals(e.getCurrentActivityId())) {
                        ENDED.get(e.getProcessBusinessKey()).countDown();
                    }
                });
            }
        });
        configuration.setCustomPreBPMNParseListeners(listeners);
        ProcessEngine engine = configuration.buildProcessEngine();
        try {
            org.camunda.bpm.model.bpmn.builder.AbstractFlowNodeBuilder<?, ?> builder =
                    Bpmn.createExecutableProcess("BenchNoopSteps").camundaHistoryTimeToLive(1).startEvent();
            for (int i = 1; i <= steps; i++) {
                builder = builder.serviceTask("Task_Noop" + i).camundaAsyncBefore().camundaExpression("${true}");
            }
            engine.getRepositoryService()
                    .createDeployment()
                    .addModelInstance("noop.bpmn", builder.endEvent().done())
                    .deploy();
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < warm + n; i++) {
                String key = "noop-" + i;
                ENDED.put(key, new CountDownLatch(1));
                String instance = engine.getRuntimeService()
                        .startProcessInstanceByKey("BenchNoopSteps", key)
                        .getId();
                if (!ENDED.get(key).await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(key + " did not end");
                }
                for (int s = 1; i >= warm && s < steps; s++) {
                    Event end = EVENTS.get(instance + " end Task_Noop" + s);
                    Event start = EVENTS.get(instance + " start Task_Noop" + (s + 1));
                    out.append(out.length() > 1 ? "," : "")
                            .append("[")
                            .append((start.nanos() - end.nanos()) / 1e6)
                            .append(",")
                            .append(end.thread().equals(start.thread()))
                            .append("]");
                }
            }
            System.out.println(out.append("]"));
        } finally {
            engine.close();
        }
    }

    static void record(org.camunda.bpm.engine.delegate.DelegateExecution execution, String event) {
        EVENTS.put(
                execution.getProcessInstanceId() + " " + event + " " + execution.getCurrentActivityId(),
                new Event(System.nanoTime(), Thread.currentThread().getName()));
    }
}
