package io.polarstack.orchestrator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.polarstack.orchestrator.testing.TestEnvironment;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every manifest in deploy/ (and its samples) is accepted by a real kube-apiserver, in apply order. */
class DeployManifestsIT {

    @Test
    void everyManifestApplies() throws Exception {
        List<Path> manifests;
        try (Stream<Path> top = Files.list(Path.of("deploy"));
                Stream<Path> samples = Files.list(Path.of("deploy/samples"))) {
            manifests = Stream.concat(
                            top.filter(p -> p.toString().endsWith(".yaml")).sorted(),
                            samples.filter(p -> p.toString().endsWith(".yaml")).sorted())
                    .toList();
        }
        assertThat(manifests)
                .extracting(p -> p.getFileName().toString())
                .contains("040-Crd-mpdcluster.yaml", "060-Deployment-orchestrator.yaml", "mpdcluster-local.yaml");
        try (var client = TestEnvironment.kubernetes()) {
            for (Path manifest : manifests) {
                List<HasMetadata> objects;
                try (InputStream in = Files.newInputStream(manifest)) {
                    objects = client.load(in).items();
                }
                assertThat(objects).as(manifest + " holds objects").isNotEmpty();
                for (HasMetadata object : objects) {
                    HasMetadata applied =
                            client.resource(object).forceConflicts().serverSideApply();
                    assertThat(applied.getMetadata().getUid())
                            .as(manifest + ": " + object.getKind())
                            .isNotBlank();
                    if (applied instanceof CustomResourceDefinition crd) {
                        TestEnvironment.awaitEstablished(client, crd);
                    }
                }
            }
        }
    }
}
