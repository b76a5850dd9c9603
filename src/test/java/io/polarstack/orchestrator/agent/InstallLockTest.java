package io.polarstack.orchestrator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An install still running in another process (its caller died; the step is retried) holds the instance's install
 * lock: a second install waits for it instead of redoing the work alongside, and once it is free finds it done.
 */
class InstallLockTest {

    @TempDir
    Path dir;

    /** Another process's install: holds the lock until its stdin closes. */
    public static void main(String[] args) throws Exception {
        try (FileChannel channel =
                        FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                var lock = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            System.in.read();
        }
    }

    JsonNode install(int timeoutSeconds) throws Exception {
        String request = "{\"flavour\":\"postgresql\",\"dataDir\":\"" + dir.resolve("data")
                + "\",\"role\":\"rw\",\"port\":5432," + "\"timeoutSeconds\":" + timeoutSeconds + "}";
        var out = new ByteArrayOutputStream();
        ManagerAgent.run(
                new String[] {"install"},
                new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("POLARSTACK_LOG_DIR", dir.resolve("log").toString()));
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSecondInstallWaitsForTheOneStillRunningThenFindsItDone() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("data").resolve(Install.DONE_MARKER), "done\n"); // what the first one ends with
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        InstallLockTest.class.getName(),
                        dir.resolve("log").resolve(Install.INSTALL_LOCK).toString())
                .redirectErrorStream(true)
                .start();
        try {
            assertEquals("locked", other.inputReader().readLine());
            JsonNode waited = install(2);
            assertEquals("TIMEOUT", waited.path("error").path("code").asText(), waited.toString());
            assertTrue(
                    waited.path("error").path("message").asText().contains("another install of this instance"),
                    waited.toString());
        } finally {
            other.getOutputStream().close();
            other.waitFor(30, TimeUnit.SECONDS);
            other.destroyForcibly();
        }
        JsonNode after = install(10);
        assertTrue(after.path("ok").asBoolean(), after.toString());
        assertTrue(after.path("result").path("skipped").asBoolean(), after.toString());
        assertTrue(Files.readString(dir.resolve("log").resolve("manager.log"))
                .contains("another install of this instance is running"));
    }
}
