package io.polarstack.orchestrator.service.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** image.yml parsing and every validation rule, each message naming the image id and the field. */
class ImageFileTest {

    @TempDir
    Path base;

    @BeforeEach
    void dockerfiles() throws IOException {
        Files.createDirectories(base.resolve("docker"));
        Files.writeString(base.resolve("docker/Dockerfile.engine"), "FROM scratch\n");
        Files.writeString(base.resolve("docker/Dockerfile.manager"), "FROM scratch\n");
    }

    static final String ENGINE = """
              - id: %s
                type: engine
                build_image_name: polardb_pg/%s
                build_image_dockerfile: ./docker/Dockerfile.engine
                engine_repo: file:///src/engine.git
                engine_branch: POLARDB_11_STABLE
            """;

    ImageFile parse(String images) {
        return ImageFile.parse("result: image.result\nimages:\n" + images, base, "image.yml");
    }

    String problems(String images) {
        return String.join(
                "\n",
                org.assertj.core.api.Assertions.catchThrowableOfType(
                                InvalidImageFileException.class, () -> parse(images))
                        .problems());
    }

    @Test
    void theShippedImageFileIsValid() {
        ImageFile file = ImageFile.read(Path.of("image.yml"));
        assertThat(file.enabled(ImageSpec.Type.ENGINE))
                .extracting(ImageSpec::id)
                .containsExactly("polardb_pg_engine_test");
        assertThat(file.image("polardb_pg_engine_release").enable()).isFalse();
        assertThat(file.image("polardb_pg_engine_release").push()).isTrue();
        assertThat(file.enabled(ImageSpec.Type.MANAGER))
                .singleElement()
                .satisfies(m -> assertThat(m.engineImageId()).isEqualTo("polardb_pg_engine_test"));
        assertThat(file.result()).isEqualTo(Path.of("image.result").toAbsolutePath());
    }

    @Test
    void aValidFileIsParsedWithDefaultsAndPathsResolved() {
        ImageFile file = parse(ENGINE.formatted("e1", "engine:1.0") + """
                  - id: m1
                    type: manager
                    build_image_name: 127.0.0.1:5000/polardb_pg/manager
                    build_image_dockerfile: docker/Dockerfile.manager
                    engine_image_id: e1
                    push: false
                """);
        var engine = file.image("e1");
        assertThat(engine.repository()).isEqualTo("polardb_pg/engine");
        assertThat(engine.tag()).isEqualTo("1.0");
        assertThat(engine.push()).isTrue();
        assertThat(engine.enable()).isTrue();
        assertThat(engine.dockerfile()).isEqualTo(base.resolve("docker/Dockerfile.engine"));
        var manager = file.image("m1");
        assertThat(manager.repository()).isEqualTo("127.0.0.1:5000/polardb_pg/manager");
        assertThat(manager.tag()).isNull();
        assertThat(manager.push()).isFalse();
        assertThat(file.result()).isEqualTo(base.resolve("image.result"));
    }

    @Test
    void theIdsOfTheEnabledImagesOfATypeInFileOrder() {
        ImageFile file = parse(ENGINE.formatted("e2", "engine:2") + ENGINE.formatted("e1", "engine:1")
                + ENGINE.formatted("e3", "engine:3") + "    enable: false\n");
        assertThat(file.ids(ImageSpec.Type.ENGINE)).isEqualTo("e2,e1");
        assertThat(file.ids(ImageSpec.Type.MANAGER)).isEmpty();
    }

    @Test
    void theLocalClusterImageFileIsValid() {
        ImageFile file = ImageFile.read(Path.of("deploy/local/image.yml"));
        assertThat(file.enabled(ImageSpec.Type.ENGINE))
                .singleElement()
                .satisfies(e -> assertThat(e.engineRepo()).isNull());
        assertThat(file.enabled(ImageSpec.Type.MANAGER))
                .singleElement()
                .satisfies(m -> assertThat(m.engineImageId()).isEqualTo("pg15_engine_local"));
    }

    @Test
    void anEngineFromPackagesNeedsNoRepositoryButATag() {
        String packaged = ENGINE.formatted("e1", "engine:15")
                .replace("    engine_repo: file:///src/engine.git\n", "")
                .replace("    engine_branch: POLARDB_11_STABLE\n", "");
        assertThat(parse(packaged).image("e1").engineRepo()).isNull();
        assertThat(problems(packaged.replace("engine:15", "engine")))
                .contains("image 'e1': engine_repo: missing")
                .contains("image 'e1': engine_branch: missing");
    }

    @Test
    void anEngineRepositoryOnlyOnTransportsACloneCanBeBoundedOn() {
        for (String url : List.of(
                "https://github.com/ApsaraDB/PolarDB-for-PostgreSQL.git",
                "ssh://git@example.com/engine.git",
                "git@example.com:db/engine.git",
                "file:///src/engine.git")) {
            assertThat(parse(ENGINE.formatted("e1", "engine:1").replace("file:///src/engine.git", url))
                            .image("e1")
                            .engineRepo())
                    .isEqualTo(url);
        }
        for (String url : List.of("git://example.com/engine.git", "/src/engine.git", "ext::sh -c touch% /tmp/x")) {
            assertThat(problems(ENGINE.formatted("e1", "engine:1").replace("file:///src/engine.git", url)))
                    .as(url)
                    .contains("image 'e1': engine_repo: '" + url + "' is not a URL this can clone with a time bound");
        }
    }

    @Test
    void duplicateIds() {
        assertThat(problems(ENGINE.formatted("e1", "a") + ENGINE.formatted("e1", "b")))
                .contains("image 'e1' (images[1]): id: duplicate of images[0]");
    }

    @Test
    void unknownType() {
        assertThat(problems(ENGINE.formatted("e1", "a").replace("type: engine", "type: builder")))
                .contains("image 'e1': type: 'builder' is unknown; use engine or manager");
    }

    @Test
    void managerOnAMissingEngine() {
        assertThat(problems(manager("engine_gone")))
                .contains("image 'm1': engine_image_id: 'engine_gone' names no image in this file");
    }

    @Test
    void managerWithoutEngineImageId() {
        assertThat(problems(manager("x").replace("    engine_image_id: x\n", "")))
                .contains("image 'm1': engine_image_id: missing");
    }

    @Test
    void managerOnADisabledEngine() {
        assertThat(problems(ENGINE.formatted("e1", "a") + "    enable: false\n" + manager("e1")))
                .contains("image 'm1': engine_image_id: 'e1' is disabled (enable: false)");
    }

    @Test
    void managerOnAManager() {
        assertThat(problems(ENGINE.formatted("e1", "a")
                        + manager("e1")
                        + manager("m1").replace("  - id: m1", "  - id: m2")))
                .contains("image 'm2': engine_image_id: 'm1' is a manager image; name an engine image");
    }

    @Test
    void missingDockerfile() {
        assertThat(problems(ENGINE.formatted("e1", "a").replace("Dockerfile.engine", "Dockerfile.nope")))
                .contains("image 'e1': build_image_dockerfile: './docker/Dockerfile.nope' does not exist (looked at "
                        + base.resolve("docker/Dockerfile.nope") + ")");
    }

    @Test
    void aDisabledImageNeedsNoDockerfile() {
        assertThat(parse(ENGINE.formatted("e1", "a").replace("Dockerfile.engine", "Dockerfile.nope")
                                + "    enable: false\n")
                        .enabled(ImageSpec.Type.ENGINE))
                .isEmpty();
    }

    @Test
    void malformedImageNames() {
        for (String name : new String[] {
            "Polardb/Engine",
            "polardb engine",
            "polardb/engine:bad tag",
            "polardb//engine",
            "polardb/engine:",
            "-polardb"
        }) {
            assertThat(problems(ENGINE.formatted("e1", "x").replace("polardb_pg/x", "'" + name + "'")))
                    .as(name)
                    .contains("image 'e1': build_image_name: '" + name + "' is not a valid image name");
        }
    }

    @Test
    void missingFieldsAndBadValues() {
        String text = problems("""
                  - type: engine
                  - id: e2
                    type: engine
                    push: maybe
                    engine_release_date: 2021-09-10
                """);
        assertThat(text)
                .contains("images[0]: id: missing")
                .contains("image 'e2': push: 'maybe' is not true or false")
                .contains("image 'e2': build_image_name: missing")
                .contains("image 'e2': build_image_dockerfile: missing")
                .contains("image 'e2': engine_repo: missing")
                .contains("image 'e2': engine_branch: missing")
                .contains("image 'e2': engine_release_date: '2021-09-10' is not a date like 20210910");
    }

    @Test
    void notAnImageFileAtAll() {
        assertThatThrownBy(() -> ImageFile.parse("images: [", base, "image.yml"))
                .isInstanceOf(InvalidImageFileException.class)
                .hasMessageContaining("image.yml is invalid")
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ImageFile.parse("result: x\n", base, "image.yml"))
                .hasMessageContaining("images: must be a non-empty list");
    }

    @Test
    void tagsAreComputedAsImagePyDid(@TempDir Path source) throws IOException {
        Files.writeString(
                source.resolve("configure"), "#!/bin/sh\nPACKAGE_VERSION='11.9'\nPACKAGE_STRING='PostgreSQL 11.9'\n");
        assertThat(ImageTags.engineTag(
                        ImageTags.packageVersion(source), "20210910", "59fcf529aa0123456789", "20220121152612"))
                .isEqualTo("11.9.20210910.59fcf529.20220121152612");
        assertThat(ImageTags.managerTag("20220121152612", "700bf8db0123")).isEqualTo("20220121152612.700bf8db");
        assertThat(ImageTags.managerTag("20220121152612", "")).isEqualTo("20220121152612.nocommit");
        Files.writeString(source.resolve("configure"), "#!/bin/sh\n");
        assertThatThrownBy(() -> ImageTags.packageVersion(source)).hasMessageContaining("sets no PACKAGE_VERSION");
    }

    static String manager(String engineId) {
        return """
                  - id: m1
                    type: manager
                    build_image_name: polardb_pg/manager
                    build_image_dockerfile: ./docker/Dockerfile.manager
                    engine_image_id: %s
                """.formatted(engineId);
    }
}
