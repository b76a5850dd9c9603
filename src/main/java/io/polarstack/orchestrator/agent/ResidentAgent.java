package io.polarstack.orchestrator.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code manager-agent serve --socket PATH}: the manager agent kept running in the manager container, so an action
 * costs no JVM start. The container's entrypoint starts it and starts it again if it dies; the orchestrator still
 * execs {@code manager-agent <action>} through the API server, whose script forwards the request over this socket (or
 * runs the one-shot agent when nothing listens). One connection is one request, served on its own thread exactly as a
 * one-shot agent serves it (same JSON, error codes, log, instance lock):
 *
 * <pre>
 * client: ["health"]\n      the agent's arguments, a JSON array on one line
 *         {...}             the request, as on a one-shot agent's stdin (no end of input needed)
 * agent:  {...}\n           what a one-shot agent prints
 *         \0exit N\n        its exit status, last
 * </pre>
 *
 * The socket is the owner's only (0600, in a directory private to the container); the exec that reaches it is
 * authenticated by the API server as before.
 */
final class ResidentAgent {

    static final String COMMAND = "serve";
    static final String TRAILER = "\0exit ";
    private static final int MAX_HEADER = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResidentAgent() {}

    /** Serves until the process ends; returns an exit status only when it cannot start. */
    static int serve(String[] args, Map<String, String> env) {
        if (args.length != 2 || !"--socket".equals(args[0])) {
            System.err.println("usage: manager-agent serve --socket PATH");
            return ErrorCode.INVALID_ARGUMENT.exitCode();
        }
        Path socket = Path.of(args[1]);
        List<String> runCommand = runCommand();
        ExecutorService requests = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "request");
            thread.setDaemon(true);
            return thread;
        });
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.createDirectories(socket.getParent());
            try {
                Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx------"));
            } catch (IOException notOurs) {
                // a folder someone else made: the socket's own mode still keeps others out
            }
            Files.deleteIfExists(socket); // left by a resident agent that died; the supervisor runs one at a time
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            System.err.printf(
                    "resident manager agent (pid %d) serving on %s%n",
                    ProcessHandle.current().pid(), socket);
            while (true) {
                SocketChannel connection = server.accept();
                requests.execute(() -> serve(connection, env, runCommand));
            }
        } catch (IOException e) {
            System.err.printf("resident manager agent: cannot serve on %s: %s%n", socket, e);
            return ErrorCode.INTERNAL.exitCode();
        }
    }

    /** This JVM's command line up to {@code manager-agent}: what starts a one-shot agent for a background run. */
    private static List<String> runCommand() {
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> argv = new ArrayList<>();
        self.command().ifPresent(argv::add);
        for (String arg : self.arguments().orElse(new String[0])) {
            argv.add(arg);
            if (arg.equals("manager-agent")) {
                return argv;
            }
        }
        return null; // not started as manager-agent: background runs say they cannot start
    }

    static void serve(SocketChannel connection, Map<String, String> env, List<String> runCommand) {
        AtomicBoolean ended = new AtomicBoolean();
        try (connection) {
            InputStream in = new ChannelIn(connection);
            PrintStream out = new PrintStream(new ChannelOut(connection), true, StandardCharsets.UTF_8);
            String[] args = header(in);
            if (args.length > 0 && COMMAND.equals(args[0])) {
                throw new IOException("a request cannot start another resident agent");
            }
            // A request past its deadline ends here: its answer (TIMEOUT) is out, the status follows, the line closes.
            ManagerAgent.Mode mode = new ManagerAgent.Mode(code -> end(connection, out, code, ended), runCommand);
            int status = ManagerAgent.run(args, in, out, env, mode);
            end(connection, out, status, ended);
        } catch (IOException | RuntimeException e) {
            System.err.printf("resident manager agent: a request failed: %s%n", e);
        }
    }

    /**
     * The status, then the end of the answer; then whatever the client still sends is read until it hangs up, since
     * closing a socket with unread input resets it and the client could lose the answer (a usage error answers
     * before the request is read).
     */
    private static void end(SocketChannel connection, PrintStream out, int status, AtomicBoolean ended) {
        if (ended.compareAndSet(false, true)) {
            out.print(TRAILER + status + "\n");
            out.flush();
            try (connection) {
                connection.shutdownOutput();
                ByteBuffer rest = ByteBuffer.allocate(4096);
                while (connection.read(rest.clear()) >= 0) {
                    // discarded
                }
            } catch (IOException ignored) {
                // the client went away; nothing to tell
            }
        }
    }

    /** The first line: the agent's arguments as a JSON array of strings. */
    private static String[] header(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || line.size() >= MAX_HEADER) {
                throw new IOException("no argument line");
            }
            line.write(b);
        }
        return JSON.readValue(line.toByteArray(), String[].class);
    }

    /** Reads straight from the channel; closing it leaves the connection open (the request parser closes its input). */
    private static final class ChannelIn extends InputStream {
        private final SocketChannel channel;

        ChannelIn(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public void close() {}
    }

    /** Writes straight to the channel; reads and writes of a socket channel do not wait for each other. */
    private static final class ChannelOut extends OutputStream {
        private final SocketChannel channel;

        ChannelOut(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }

        @Override
        public void close() {}
    }
}
