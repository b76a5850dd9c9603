package io.polarstack.orchestrator.flows;

import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Turns a comma-separated id variable into the collection a multi-instance iterates
 * ({@code ${ids.of(roInsIds)}}): lists as variables would need Java serialization, which the engine refuses.
 */
@Component("ids")
public class IdList {

    public List<String> of(String ids) {
        return ids == null || ids.isBlank()
                ? List.of()
                : Arrays.stream(ids.split(",")).map(String::strip).toList();
    }

    public static String join(List<String> ids) {
        return String.join(",", ids);
    }
}
