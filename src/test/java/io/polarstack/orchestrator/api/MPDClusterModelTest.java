package io.polarstack.orchestrator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java model and the CRD's samples agree: nothing is lost reading a resource and writing it back. */
class MPDClusterModelTest {

    @ParameterizedTest
    @ValueSource(strings = {"mpdcluster-local.yaml", "mpdcluster-share.yaml"})
    void samplesRoundTripThroughTheModel(String sample) throws Exception {
        String yaml = Files.readString(Path.of("deploy/samples", sample));
        MPDCluster cluster = Serialization.unmarshal(yaml, MPDCluster.class);
        assertThat(cluster.getSpec().getClassInfo().getClassName()).isEqualTo("polar.o.x4.medium");
        assertThat(cluster.businessKey())
                .isEqualTo("default/" + cluster.getMetadata().getName());
        Map<?, ?> original = Serialization.unmarshal(yaml, Map.class);
        Map<?, ?> written = Serialization.unmarshal(Serialization.asJson(cluster), Map.class);
        assertThat(written.get("spec")).isEqualTo(original.get("spec"));
        assertThat(written.get("apiVersion")).isEqualTo("mpd.polardb.aliyun.com/v1");
    }
}
