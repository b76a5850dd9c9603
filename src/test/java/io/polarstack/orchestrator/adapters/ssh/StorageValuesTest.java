package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorageValuesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "36001405a1b2c3d4e5f60718293a4b5c6",
                "3600a098038303053453f463045736e4f",
                "eui.0025388b91b2c3d4",
                "nvme.8086-50484b53-494e54454c-00000001",
                "mpatha"
            })
    void acceptsWwidsTheToolsPrint(String wwid) {
        assertThat(StorageValues.wwid(wwid)).isEqualTo(wwid);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "-ll",
                "--clear",
                "../../etc/passwd",
                "a/b",
                "3600 1405",
                "3600;id",
                "$(id)",
                "`id`",
                "a\nb",
                "a..b",
                ".hidden",
                "3600'x",
                "36001405\0"
            })
    void refusesAnythingElse(String wwid) {
        assertThatThrownBy(() -> StorageValues.wwid(wwid))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid WWID");
    }

    @Test
    void refusesAMissingWwid() {
        assertThatThrownBy(() -> StorageValues.wwid(null)).hasMessageContaining("(none)");
    }

    @Test
    void derivesTheReservationKeyFromTheIpv4Address() {
        assertThat(StorageValues.keyOfIpv4("127.0.0.2")).isEqualTo("0x7f000002");
        assertThat(StorageValues.keyOfIpv4("10.0.0.5")).isEqualTo("0x0a000005");
        assertThat(StorageValues.keyOfIpv4("255.255.255.255")).isEqualTo("0xffffffff");
        assertThat(StorageValues.isIpv4("fd00::1")).isFalse();
        assertThat(StorageValues.isIpv4("256.0.0.1")).isFalse();
        assertThat(StorageValues.isIpv4(null)).isFalse();
    }

    @Test
    void keysAreCanonicalAndStrict() {
        assertThat(StorageValues.key("0xa000005")).isEqualTo("0x0a000005");
        assertThat(StorageValues.key("0x7F000002")).isEqualTo("0x7f000002");
        for (String bad : new String[] {"7f000002", "0x", "0x12345678901234567", "0x7f00 0002", "0x7f;id", "-0x1"}) {
            assertThatThrownBy(() -> StorageValues.key(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void pfsSizesAreBounded() {
        assertThat(StorageValues.pfsChunks(3)).isEqualTo(3);
        assertThatThrownBy(() -> StorageValues.pfsChunks(0)).hasMessageContaining("chunks of 10 GiB");
        assertThatThrownBy(() -> StorageValues.pfsChunks(StorageValues.MAX_PFS_CHUNKS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void printableEscapesControlCharacters() {
        assertThat(StorageValues.printable("a\nb\u001b")).isEqualTo("\"a\\x0ab\\x1b\"");
    }
}
