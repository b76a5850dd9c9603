package io.polarstack.orchestrator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfFileTest {

    @Test
    void rewritesOnlyTheLastActiveLineOfAKeyAndKeepsEveryOtherLine() {
        ConfFile conf = ConfFile.parse(
                "# comment\n#work_mem = 4MB\nshared_buffers = 128MB  # min 128kB\nport = 5432\nPORT=5433\n");
        conf.set("port", "6000");
        conf.set("work_mem", "8MB");
        assertEquals(
                List.of(
                        "# comment",
                        "#work_mem = 4MB",
                        "shared_buffers = 128MB  # min 128kB",
                        "port = 5432",
                        "port = '6000'",
                        "work_mem = '8MB'",
                        ""),
                conf.lines());
        assertEquals("6000", conf.get("Port").orElseThrow());
        assertEquals("128MB", conf.get("shared_buffers").orElseThrow());
    }

    @Test
    void valuesAreQuotedSoTheyCannotEndTheStringOrAddALine() {
        String hostile = "a'b\\c\nport = 1 # $(x) `y`;\r\tz";
        ConfFile conf = ConfFile.parse("");
        conf.set("log_line_prefix", hostile);
        assertEquals(1, conf.text().strip().split("\n").length, conf.text());
        assertEquals("log_line_prefix = 'a''b\\\\c\\nport = 1 # $(x) `y`;\\r\\tz'\n", conf.text());
        assertEquals(hostile, ConfFile.parse(conf.text()).get("log_line_prefix").orElseThrow(), "reads back literally");
        assertEquals(
                List.of("log_line_prefix"),
                List.of(ConfFile.parse(conf.text()).lines().get(0).split(" ")[0]));
    }

    @Test
    void refusesControlCharactersAndBadNames() {
        assertEquals(
                ErrorCode.INVALID_ARGUMENT,
                assertThrows(AgentException.class, () -> ConfFile.quote("k", "a\u0001b"))
                        .code());
        for (String key : List.of("work_mem = 1\nport", "a;b", "x'", "", "a.b.c", "1abc")) {
            assertEquals(
                    ErrorCode.INVALID_ARGUMENT,
                    assertThrows(AgentException.class, () -> ConfFile.checkKey(key))
                            .code(),
                    key);
        }
        assertEquals("polar_vfs.logic_ins_id", ConfFile.checkKey("polar_vfs.logic_ins_id"));
    }
}
