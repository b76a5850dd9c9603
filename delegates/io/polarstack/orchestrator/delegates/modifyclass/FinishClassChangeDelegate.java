package io.polarstack.orchestrator.delegates.modifyclass;

import io.polarstack.orchestrator.api.ClassInfo;
import io.polarstack.orchestrator.delegates.common.ClusterSteps;
import io.polarstack.orchestrator.ports.ClusterResources;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task_FinishClassChange: spec.classInfo becomes the new class (classInfoModifyTo as the user wrote it), and
 * classInfoModifyTo is cleared when it still asks for it (a request changed meanwhile stays for the next flow).
 * Sets, never toggles.
 */
@Component
public class FinishClassChangeDelegate implements JavaDelegate {

    private final ClusterResources resources;

    public FinishClassChangeDelegate(ClusterResources resources) {
        this.resources = resources;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String className = ClassChange.className(execution);
        var updated = resources.updateSpec(ClusterSteps.namespace(execution), ClusterSteps.name(execution), spec -> {
            var to = spec.getClassInfoModifyTo();
            boolean served = to != null
                    && to.getClassName() != null
                    && className.equals(to.getClassName().trim());
            if (served) {
                spec.setClassInfo(to);
                spec.setClassInfoModifyTo(null);
            } else if (!className.equals(spec.getClassInfo().getClassName())) {
                var info = new ClassInfo();
                info.setClassName(className);
                spec.setClassInfo(info);
            }
        });
        resources.event(
                updated,
                "Normal",
                "ClassModified",
                "every instance runs class " + className + "; RW "
                        + ClusterSteps.rw(updated).getInsId() + ", ROs "
                        + ClusterSteps.ros(updated).stream()
                                .map(i -> i.getInsId())
                                .toList());
    }
}
