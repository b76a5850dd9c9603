package io.polarstack.orchestrator.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * An action still running in another process (its caller died; the step is retried) holds the instance's lock: a
 * second install waits for the running install instead of redoing the work alongside, and once it is free finds it
 * done; any other mutating action answers INSTANCE_BUSY naming the holder, and read-only ones run beside it.
 */
class InstanceLockTest {

    @TempDir
    Path dir;

    /** Another process's action ({@code args[1]}): holds the lock until its stdin closes. */
    public static void main(String[] args) throws Exception {
        try (FileChannel channel =
                        FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                var lock = channel.lock()) {
            channel.write(java.nio.ByteBuffer.wrap(("action=" + args[1] + " requestId=r-1 pid="
                            + ProcessHandle.current().pid() + " since=now\n")
                    .getBytes(StandardCharsets.UTF_8)));
            System.out.println("locked");
            System.out.flush();
            System.in.read();
        }
    }

    JsonNode install(int timeoutSeconds) throws Exception {
        return agent("install", "\"role\":\"rw\",\"port\":5432,\"timeoutSeconds\":" + timeoutSeconds);
    }

    JsonNode agent(String action, String fields) throws Exception {
        String request = "{\"flavour\":\"postgresql\",\"dataDir\":\"" + dir.resolve("data") + "\"," + fields + "}";
        var out = new ByteArrayOutputStream();
        ManagerAgent.run(
                new String[] {action},
                new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("POLARSTACK_LOG_DIR", dir.resolve("log").toString()));
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    private Process holder(String action) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        InstanceLockTest.class.getName(),
                        dir.resolve("log").resolve(InstanceLock.FILE).toString(),
                        action)
                .redirectErrorStream(true)
                .start();
        assertEquals("locked", other.inputReader().readLine());
        return other;
    }

    private static void release(Process other) throws Exception {
        other.getOutputStream().close();
        other.waitFor(30, TimeUnit.SECONDS);
        other.destroyForcibly();
    }

    @Test
    void aSecondInstallWaitsForTheOneStillRunningThenFindsItDone() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("data").resolve(Install.DONE_MARKER), "done\n"); // what the first one ends with
        Process other = holder("install");
        try {
            JsonNode waited = install(2);
            assertEquals("INSTANCE_BUSY", waited.path("error").path("code").asText(), waited.toString());
            assertTrue(
                    waited.path("error").path("message").asText().contains("install (request r-1"), waited.toString());
        } finally {
            release(other);
        }
        JsonNode after = install(10);
        assertTrue(after.path("ok").asBoolean(), after.toString());
        assertTrue(after.path("result").path("skipped").asBoolean(), after.toString());
        assertTrue(Files.readString(dir.resolve("log").resolve("manager.log")).contains("instance busy: install"));
    }

    @Test
    void anotherMutatingActionIsRefusedWhileOneRunsAndReadsStillAnswer() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("data").resolve(Install.DONE_MARKER), "done\n");
        Files.writeString(dir.resolve("data").resolve("PG_VERSION"), "15\n");
        Process other = holder("restart");
        try {
            long started = System.nanoTime();
            JsonNode stop = agent("stop", "\"busyWaitSeconds\":1,\"timeoutSeconds\":30");
            assertEquals("INSTANCE_BUSY", stop.path("error").path("code").asText(), stop.toString());
            assertEquals(
                    "restart",
                    stop.path("error")
                            .path("details")
                            .path("holder")
                            .path("action")
                            .asText(),
                    stop.toString());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(25), "refused after its busy wait");
            assertFalse(Files.exists(dir.resolve("data").resolve("ins_lock")), "the refused stop changed nothing");
            JsonNode health = agent("health", "\"port\":1,\"timeoutSeconds\":10");
            assertEquals("ENGINE_NOT_RUNNING", health.path("error").path("code").asText(), health.toString());
        } finally {
            release(other);
        }
        JsonNode stop = agent("stop", "\"busyWaitSeconds\":1,\"timeoutSeconds\":30");
        assertTrue(stop.path("ok").asBoolean(), stop.toString());
        assertTrue(Files.exists(dir.resolve("data").resolve("ins_lock")));
    }
}
