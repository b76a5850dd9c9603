package io.polarstack.orchestrator.rest;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.polarstack.orchestrator.ports.StorageFabric;
import io.polarstack.orchestrator.ports.StorageFabric.HostLuns;
import io.polarstack.orchestrator.ports.StorageFabric.Lun;
import io.polarstack.orchestrator.ports.StorageFabric.LunPath;
import io.polarstack.orchestrator.ports.StorageFabricException;
import io.polarstack.orchestrator.ports.UnknownStorageHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

class StorageControllerTest {

    private static final Lun LUN = new Lun(
            "36001405a1b2c3d4e5f60718293a4b5c6",
            "/dev/mapper/36001405a1b2c3d4e5f60718293a4b5c6",
            10L << 30,
            "LIO-ORG",
            "disk01",
            List.of(new LunPath("2:0:0:1", "sdb", "active", "ready", "running")));

    private final StorageFabric storage = mock(StorageFabric.class);
    private final MockMvc mvc =
            MockMvcBuilders.standaloneSetup(new StorageController(storage)).build();

    @Test
    void listsEveryHostsLunsAndHostErrors() throws Exception {
        when(storage.discoverAll())
                .thenReturn(List.of(
                        new HostLuns("node-a", List.of(LUN), null),
                        new HostLuns(
                                "node-b",
                                List.of(),
                                "cannot reach node-b (10.0.0.6:22) over SSH: Connection refused")));

        mvc.perform(get("/api/v1/storage/luns"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[0].node").value("node-a"))
                .andExpect(jsonPath("$[0].luns[0].wwid").value(LUN.wwid()))
                .andExpect(jsonPath("$[0].luns[0].sizeBytes").value(10L << 30))
                .andExpect(jsonPath("$[0].luns[0].paths[0].device").value("sdb"))
                .andExpect(
                        jsonPath("$[1].error").value("cannot reach node-b (10.0.0.6:22) over SSH: Connection refused"));
    }

    @Test
    void listsOneHostsLuns() throws Exception {
        when(storage.discover("node-a")).thenReturn(new HostLuns("node-a", List.of(LUN), null));

        mvc.perform(get("/api/v1/storage/hosts/node-a/luns"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.luns[0].device").value(LUN.device()));
    }

    @Test
    void anUnknownHostIsNotFoundAndAFailingHostABadGateway() throws Exception {
        when(storage.discover("nope"))
                .thenThrow(new UnknownStorageHostException("node nope is not a storage host: no such Node"));
        when(storage.discover("node-b")).thenThrow(new StorageFabricException("cannot reach node-b"));

        mvc.perform(get("/api/v1/storage/hosts/nope/luns"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.error").value("node nope is not a storage host: no such Node"));
        mvc.perform(get("/api/v1/storage/hosts/node-b/luns"))
                .andExpect(status().isBadGateway())
                .andExpect(jsonPath("$.error").value("cannot reach node-b"));
    }
}
