package io.polarstack.orchestrator.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One request over the resident agent's socket: the argument line, the request, the answer and the exit status. */
class ResidentAgentTest {

    @TempDir
    Path dir;

    String exchange(String written) throws Exception {
        return exchange(written, false);
    }

    String exchange(String written, boolean endInput) throws Exception {
        Path socket = dir.resolve("agent.sock");
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread serving = new Thread(() -> {
                try {
                    ResidentAgent.serve(server.accept(), Map.of("POLARSTACK_LOG_DIR", dir.toString()), null);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            serving.start();
            String answered;
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                client.write(ByteBuffer.wrap(written.getBytes(StandardCharsets.UTF_8)));
                if (endInput) {
                    client.shutdownOutput();
                }
                var answer = new java.io.ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                while (client.read(buffer) > 0) {
                    answer.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
                answered = answer.toString(StandardCharsets.UTF_8);
            }
            serving.join(10_000); // it ends once the client hung up
            assertThat(serving.isAlive()).isFalse();
            return answered;
        }
    }

    /** No end of input: the request is read up to its end, as over an exec that cannot signal one. */
    @Test
    void anAnswerEndsWithTheExitStatusOfTheOneShotAgent() throws Exception {
        String answer = exchange("[\"health\"]\n{\"flavour\":\"mysql\"}");
        assertThat(answer)
                .contains("\"ok\":false", "\"code\":\"INVALID_ARGUMENT\"")
                .endsWith("\0exit 2\n");
    }

    @Test
    void aRequestCutShortIsInvalid() throws Exception {
        String answer = exchange("[\"health\"]\n{\"flavour\":", true);
        assertThat(answer).contains("\"code\":\"INVALID_ARGUMENT\"").endsWith("\0exit 2\n");
    }

    /** Answered before the request is read: the unread request must not reset the line under the answer. */
    @Test
    void aUsageErrorReachesTheClient() throws Exception {
        assertThat(exchange("[\"health\",\"--bogus\"]\n{\"flavour\":\"postgresql\"}"))
                .contains("Unknown option: '--bogus'")
                .endsWith("\0exit 2\n");
    }

    @Test
    void aRequestCannotStartAnotherResidentAgent() throws Exception {
        assertThat(exchange("[\"serve\",\"--socket\",\"" + dir.resolve("x.sock") + "\"]\n"))
                .isEmpty();
        assertThat(dir.resolve("x.sock")).doesNotExist();
    }

    /**
     * A request past its deadline answers TIMEOUT with its command killed, and the agent goes on serving (this test's
     * JVM stands for it).
     */
    @Test
    void aRequestPastItsDeadlineAnswersTimeoutAndKillsItsCommand() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
        Path started = dir.resolve("pg_ctl.pid");
        Path pgCtl = bin.resolve("pg_ctl");
        Files.writeString(
                pgCtl, "#!/bin/sh\n[ \"$1\" = status ] && exit 3\necho $$ > " + started + "\nexec sleep 60\n");
        pgCtl.toFile().setExecutable(true);
        String request = "{\"flavour\":\"postgresql\",\"dataDir\":\"" + data + "\",\"logDir\":\"" + dir.resolve("log")
                + "\",\"binDir\":\"" + bin + "\",\"socketDir\":\"" + dir + "\",\"port\":1,\"timeoutSeconds\":3}";

        String answer = exchange("[\"start\"]\n" + request);

        assertThat(answer).contains("\"code\":\"TIMEOUT\"").endsWith("\0exit 4\n");
        long pid = Long.parseLong(Files.readString(started).strip());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("the request's command was killed")
                .isFalse();
    }
}
