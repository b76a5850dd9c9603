package io.polarstack.orchestrator.adapters.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A git server (smart HTTP, as the engine sources in image.yml are) that accepts the connection and then says nothing:
 * the clone ends with an error, not never. (JGit cannot bound a read on the anonymous git:// protocol on Java 17; its
 * timeout works through socket and HTTP timeouts.)
 */
class JGitSourceRepositoryTest {

    @TempDir
    Path dir;

    @Test
    void aServerThatNeverAnswersFailsTheCloneInsteadOfHoldingTheStep() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, never answered
                    }
                } catch (Exception e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            var repository = new JGitSourceRepository(Duration.ofSeconds(30), 2);
            assertThatThrownBy(() -> repository.cloneShallow(
                            "http://127.0.0.1:" + silent.getLocalPort() + "/engine.git", "main", dir.resolve("src")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot clone branch main");
            assertThat(held).as("the server was reached").isNotEmpty();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
