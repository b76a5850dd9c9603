package io.polarstack.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.cli.ImageBuildCommand;
import io.polarstack.orchestrator.engine.RetryProfilePlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.Activity;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.BoundaryEvent;
import org.camunda.bpm.model.bpmn.instance.EndEvent;
import org.camunda.bpm.model.bpmn.instance.Error;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.Gateway;
import org.camunda.bpm.model.bpmn.instance.IntermediateCatchEvent;
import org.camunda.bpm.model.bpmn.instance.IntermediateThrowEvent;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.StartEvent;
import org.camunda.bpm.model.bpmn.instance.SubProcess;
import org.camunda.bpm.model.bpmn.instance.TimerEventDefinition;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.support.SimpleBeanDefinitionRegistry;
import org.springframework.context.annotation.AnnotationBeanNameGenerator;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;

/** The modelling rules of ARCHITECTURE.md §6, checked on every file in processes/. */
class ProcessModelConventionsTest {

    static final Path PROCESSES = Path.of("processes");
    /** What a modeller generates when nobody names the element: Activity_0xyz123, Flow_1abc2de. */
    static final Pattern GENERATED = Pattern.compile("[A-Za-z]+_[0-9][0-9a-z]{6}");

    static final Pattern PASCAL_CASE = Pattern.compile("[A-Z][A-Za-z0-9]+");
    static final Pattern DELEGATE_EXPRESSION = Pattern.compile("\\$\\{([a-z][A-Za-z0-9]*)}");
    static final Map<Class<? extends BaseElement>, String> PREFIXES = Map.of(
            StartEvent.class, "StartEvent_",
            EndEvent.class, "EndEvent_",
            Gateway.class, "Gateway_",
            SequenceFlow.class, "Flow_",
            SubProcess.class, "SubProcess_",
            IntermediateThrowEvent.class, "Event_");

    @Test
    void thereAreModels() throws Exception {
        assertThat(models()).isNotEmpty();
    }

    /** Cockpit draws a model from its diagram: every step, event, gateway and flow has its shape or edge. */
    @Test
    void everyElementIsDrawn() throws Exception {
        for (Path model : models()) {
            var instance = Bpmn.readModelFromFile(model.toFile());
            java.util.Set<String> drawn = new java.util.HashSet<>();
            instance.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnShape.class)
                    .forEach(shape -> drawn.add(shape.getBpmnElement().getId()));
            instance.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnEdge.class)
                    .forEach(edge -> drawn.add(edge.getBpmnElement().getId()));
            List<String> missing = new java.util.ArrayList<>();
            instance.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.FlowElement.class).stream()
                    .filter(e -> e instanceof org.camunda.bpm.model.bpmn.instance.FlowNode || e instanceof SequenceFlow)
                    .filter(e -> !drawn.contains(e.getId()))
                    .forEach(e -> missing.add(e.getId()));
            assertThat(missing)
                    .as(model + ": elements without a diagram shape or edge")
                    .isEmpty();
        }
    }

    /** Every flow the trigger table, the HA monitor or REST can ask for is deployed with the app. */
    @Test
    void everyFlowKeyHasAModel() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (Path model : models()) {
            Bpmn.readModelFromFile(model.toFile())
                    .getModelElementsByType(Process.class)
                    .forEach(p -> ids.add(p.getId()));
        }
        for (java.lang.reflect.Field field : io.polarstack.orchestrator.api.FlowKeys.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers())
                    && field.getType() == String.class
                    && !field.getName().equals("NAMESPACE")
                    && !field.getName().equals("NAME")) {
                assertThat(ids).as("a model for FlowKeys." + field.getName()).contains((String) field.get(null));
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyModelFollowsTheRules() throws Exception {
        Set<String> beans = delegateBeans();
        return models().stream()
                .map(file -> DynamicTest.dynamicTest(
                        file.getFileName().toString(),
                        () -> assertThat(violations(file, beans))
                                .as("violations in " + file)
                                .isEmpty()));
    }

    @Test
    void theCheckCatchesWhatItShould() {
        // A model breaking every rule, to prove each check can fail.
        String bad = """
                <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                             targetNamespace="t">
                  <error id="Error_0abc123" errorCode="x"/>
                  <process id="bad_process" isExecutable="true">
                    <startEvent id="start"/>
                    <serviceTask id="Activity_0xyz123" camunda:delegateExpression="${noSuchDelegate}"/>
                    <sequenceFlow id="Flow_1abc2de" sourceRef="start" targetRef="Activity_0xyz123"/>
                  </process>
                </definitions>
                """;
        var model = Bpmn.readModelFromStream(new java.io.ByteArrayInputStream(bad.getBytes()));
        List<String> found = violations(model, Set.of("checkKubernetesDelegate"));
        assertThat(String.join("\n", found))
                .contains("process 'bad_process' has no historyTimeToLive")
                .contains("process id 'bad_process' is not PascalCase")
                .contains("'start' should start with StartEvent_")
                .contains("'Activity_0xyz123' is a generated id")
                .contains("'Activity_0xyz123' should start with Task_")
                .contains("'Activity_0xyz123' is not asyncBefore")
                .contains("'Activity_0xyz123' names no retryProfile")
                .contains("'Activity_0xyz123' uses ${noSuchDelegate}, which is no JavaDelegate bean")
                .contains("'Flow_1abc2de' is a generated id")
                .contains("'Error_0abc123' is a generated id");
    }

    static List<Path> models() throws Exception {
        try (Stream<Path> files = Files.list(PROCESSES)) {
            return files.filter(f -> f.toString().endsWith(".bpmn")).sorted().toList();
        }
    }

    static List<String> violations(Path file, Set<String> beans) {
        List<String> found = violations(Bpmn.readModelFromFile(file.toFile()), beans);
        String base = file.getFileName().toString().replace(".bpmn", "");
        if (!Files.exists(PROCESSES.resolve(base + ".md"))) {
            found.add("no page processes/" + base + ".md beside the model");
        }
        if (!base.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            found.add("file name " + file.getFileName() + " is not kebab-case");
        }
        return found;
    }

    static List<String> violations(BpmnModelInstance model, Set<String> beans) {
        List<String> found = new ArrayList<>();
        for (Process process : model.getModelElementsByType(Process.class)) {
            if (process.getCamundaHistoryTimeToLiveString() == null) {
                found.add("process '" + process.getId() + "' has no historyTimeToLive");
            }
            if (!PASCAL_CASE.matcher(process.getId()).matches()) {
                found.add("process id '" + process.getId() + "' is not PascalCase");
            }
        }
        for (Error error : model.getModelElementsByType(Error.class)) {
            checkId(error, "Error_", found);
        }
        for (FlowElement element : model.getModelElementsByType(FlowElement.class)) {
            checkId(element, expectedPrefix(element), found);
        }
        for (ServiceTask task : model.getModelElementsByType(ServiceTask.class)) {
            String id = task.getId();
            if (!task.isCamundaAsyncBefore()) {
                found.add("'" + id + "' is not asyncBefore");
            }
            String profile = retryProfile(task);
            if (profile == null) {
                found.add("'" + id + "' names no retryProfile");
            } else if (!ImageBuildCommand.shippedRetryProfiles().containsKey(profile)) {
                found.add("'" + id + "' names retry profile '" + profile + "', which application.yml does not define");
            }
            String expression = task.getCamundaDelegateExpression();
            Matcher matcher = expression == null ? null : DELEGATE_EXPRESSION.matcher(expression);
            if (matcher == null || !matcher.matches()) {
                found.add("'" + id + "' has no delegateExpression of the form ${xxxDelegate}");
            } else if (!beans.contains(matcher.group(1))) {
                found.add("'" + id + "' uses " + expression + ", which is no JavaDelegate bean");
            } else if (id.startsWith("Task_")) {
                String expected = Character.toLowerCase(id.charAt(5)) + id.substring(6) + "Delegate";
                if (!expected.equals(matcher.group(1))) {
                    found.add("'" + id + "' should use ${" + expected + "}, not " + expression);
                }
            }
        }
        return found;
    }

    static String expectedPrefix(FlowElement element) {
        if (element instanceof BoundaryEvent || element instanceof IntermediateCatchEvent) {
            boolean timer =
                    !element.getChildElementsByType(TimerEventDefinition.class).isEmpty();
            return timer ? "Timer_" : element instanceof BoundaryEvent ? "BoundaryEvent_" : "Event_";
        }
        if (element instanceof Activity && !(element instanceof SubProcess)) {
            return "Task_";
        }
        return PREFIXES.entrySet().stream()
                .filter(e -> e.getKey().isInstance(element))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    static void checkId(BaseElement element, String prefix, List<String> found) {
        String id = element.getId();
        if (GENERATED.matcher(id).matches()) {
            found.add("'" + id + "' is a generated id; name it after what it does");
        }
        if (prefix != null && !id.startsWith(prefix)) {
            found.add("'" + id + "' should start with " + prefix);
        }
    }

    static String retryProfile(ServiceTask task) {
        Collection<CamundaProperty> properties = task.getExtensionElements() == null
                ? List.of()
                : task
                        .getExtensionElements()
                        .getElementsQuery()
                        .filterByType(org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties.class)
                        .list()
                        .stream()
                        .flatMap(p -> p.getCamundaProperties().stream())
                        .toList();
        return properties.stream()
                .filter(p -> RetryProfilePlugin.PROPERTY.equals(p.getCamundaName()))
                .map(CamundaProperty::getCamundaValue)
                .findFirst()
                .orElse(null);
    }

    /** Bean names of the JavaDelegate components under delegates/, as Spring names them. */
    static Set<String> delegateBeans() {
        var scanner = new ClassPathScanningCandidateComponentProvider(true); // @Component and friends
        var names = new AnnotationBeanNameGenerator();
        var registry = new SimpleBeanDefinitionRegistry();
        return scanner.findCandidateComponents("io.polarstack.orchestrator.delegates").stream()
                .filter(d -> isDelegate(d.getBeanClassName()))
                .map(d -> names.generateBeanName(d, registry))
                .collect(Collectors.toSet());
    }

    static boolean isDelegate(String className) {
        try {
            return JavaDelegate.class.isAssignableFrom(Class.forName(className));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
