package io.polarstack.orchestrator.adapters.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polarstack.orchestrator.ports.StorageFabric.PfsInfo;
import org.junit.jupiter.api.Test;

class PfsOutputTest {

    @Test
    void readsChunksAndBlocksFromTheBlktagSection() {
        PfsInfo info = PfsOutput.parseInfo("w1", """
                Blktag Info:
                 (0)allocnode: id 0, shift 0, nchild=3, nall 7680, nfree 7667, next 0
                Direntry Info:
                 (0)allocnode: id 0, shift 0, nchild=3, nall 6144, nfree 6140, next 0
                Inode Info:
                 (0)allocnode: id 0, shift 0, nchild=3, nall 6144, nfree 6140, next 0
                """);
        assertThat(info).isEqualTo(new PfsInfo("w1", 3, 7680, 7667));
    }

    @Test
    void otherOutputIsAnError() {
        assertThatThrownBy(() -> PfsOutput.parseInfo("w1", "pfs: mapper_w1 has no PFS superblock\n"))
                .hasMessageContaining("unexpected `pfs -C disk info` output");
    }
}
