package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.ports.StorageFabric.Lun;
import io.polarstack.orchestrator.ports.StorageFabric.LunPath;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipathOutputTest {

    private static final String TWO_MAPS = """
            36001405a1b2c3d4e5f60718293a4b5c6 dm-2 LIO-ORG,disk01
            size=10G features='0' hwhandler='1 alua' wp=rw
            |-+- policy='service-time 0' prio=50 status=active
            | `- 2:0:0:1 sdb 8:16 active ready running
            `-+- policy='service-time 0' prio=10 status=enabled
              `- 3:0:0:1 sdc 8:32 active ready running
            mpathb (3600a098038303053453f463045736e4f) dm-3 NETAPP ,LUN C-Mode
            size=1.5T features='3 queue_if_no_path pg_init_retries 50' hwhandler='1 alua' wp=rw
            |-+- policy='service-time 0' prio=0 status=enabled
            | |- 1:0:1:2 sdd 8:48 failed faulty running
            | `- 4:0:1:2 sde 8:64 active i/o pending running
            `-+- policy='service-time 0' prio=0 status=enabled
              `- 5:0:1:2 sdf 8:80 failed faulty offline
            """;

    @Test
    void parsesMapsWithAndWithoutFriendlyNames() {
        List<Lun> luns = MultipathOutput.parseMaps(TWO_MAPS);

        assertThat(luns).hasSize(2);
        Lun first = luns.get(0);
        assertThat(first.wwid()).isEqualTo("36001405a1b2c3d4e5f60718293a4b5c6");
        assertThat(first.device()).isEqualTo("/dev/mapper/36001405a1b2c3d4e5f60718293a4b5c6");
        assertThat(first.sizeBytes()).isEqualTo(10L << 30);
        assertThat(first.vendor()).isEqualTo("LIO-ORG");
        assertThat(first.product()).isEqualTo("disk01");
        assertThat(first.paths())
                .containsExactly(
                        new LunPath("2:0:0:1", "sdb", "active", "ready", "running"),
                        new LunPath("3:0:0:1", "sdc", "active", "ready", "running"));
        assertThat(first.usable()).isTrue();

        Lun second = luns.get(1);
        assertThat(second.wwid()).isEqualTo("3600a098038303053453f463045736e4f");
        assertThat(second.device()).isEqualTo("/dev/mapper/mpathb");
        assertThat(second.sizeBytes()).isEqualTo(Math.round(1.5 * (1L << 40)));
        assertThat(second.vendor()).isEqualTo("NETAPP");
        assertThat(second.product()).isEqualTo("LUN C-Mode");
        assertThat(second.paths()).extracting(LunPath::checkerState).containsExactly("faulty", "i/o pending", "faulty");
        assertThat(second.paths()).extracting(LunPath::onlineState).containsExactly("running", "running", "offline");
        assertThat(second.usable()).isFalse();
    }

    @Test
    void noMapsIsAnEmptyList() {
        assertThat(MultipathOutput.parseMaps("")).isEmpty();
        assertThat(MultipathOutput.parseMaps("Nov 22 02:50:01 | DM multipath kernel driver not loaded\n"))
                .isEmpty();
    }

    @Test
    void parsesPathRowsAndSkipsTheHeader() {
        var rows = MultipathOutput.parsePaths("""
                uuid                              dev dm_st  chk_st
                36001405a1b2c3d4e5f60718293a4b5c6 sdb undef  ready
                36001405a1b2c3d4e5f60718293a4b5c6 sdc active i/o pending
                """);
        assertThat(rows)
                .containsExactly(
                        new MultipathOutput.PathRow("36001405a1b2c3d4e5f60718293a4b5c6", "sdb", "undef", "ready"),
                        new MultipathOutput.PathRow(
                                "36001405a1b2c3d4e5f60718293a4b5c6", "sdc", "active", "i/o pending"));
    }
}
