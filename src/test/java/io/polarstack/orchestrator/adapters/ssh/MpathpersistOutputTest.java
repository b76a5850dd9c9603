package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MpathpersistOutputTest {

    @Test
    void parsesRegisteredKeysAndGeneration() {
        var keys = MpathpersistOutput.parseKeys("""
                  PR generation=0x1f, \t2 registered reservation keys follow:
                    0x7f000002
                    0xa000005
                """);
        assertThat(keys.generation()).isEqualTo(0x1f);
        assertThat(keys.keys()).containsExactly("0x7f000002", "0x0a000005");
    }

    @Test
    void parsesNoKeys() {
        var keys = MpathpersistOutput.parseKeys("  PR generation=0x0, \tthere are NO registered reservation keys\n");
        assertThat(keys.keys()).isEmpty();
    }

    @Test
    void unexpectedKeyOutputIsAnError() {
        assertThatThrownBy(() -> MpathpersistOutput.parseKeys("mpathpersist: no available paths\n"))
                .hasMessageContaining("unexpected `mpathpersist --in -k` output");
    }

    @Test
    void parsesAnAllRegistrantsReservation() {
        var held = MpathpersistOutput.parseReservation("""
                  PR generation=0x3, Reservation follows:
                   Key = 0x0
                  scope = LU_SCOPE, type = Write Exclusive, all registrants
                """);
        assertThat(held.type()).isEqualTo(7);
        assertThat(held.holderKey()).isEqualTo("0x00000000");
    }

    @Test
    void parsesASingleHolderReservation() {
        var held = MpathpersistOutput.parseReservation("""
                  PR generation=0x3, Reservation follows:
                   Key = 0x7f000003
                  scope = LU_SCOPE, type = Exclusive Access, registrants only
                """);
        assertThat(held.type()).isEqualTo(6);
        assertThat(held.holderKey()).isEqualTo("0x7f000003");
    }

    @Test
    void parsesNoReservation() {
        assertThat(MpathpersistOutput.parseReservation("  PR generation=0x3, \tthere is NO reservation held\n"))
                .isEqualTo(MpathpersistOutput.Held.NONE);
    }

    @Test
    void unknownTypeIsAnError() {
        assertThatThrownBy(() -> MpathpersistOutput.parseReservation("""
                  PR generation=0x3, Reservation follows:
                   Key = 0x1
                  scope = LU_SCOPE, type = obsolete [2]
                """))
                .hasMessageContaining("unknown reservation type");
    }
}
