package io.polarstack.orchestrator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A network partition on this machine: every packet from 127.0.0.1 (the source of every socket that does not bind
 * one: the orchestrator, the API server's exec and the ROs' walreceivers) to a node's loopback address is dropped by
 * an iptables rule, so that node cannot be reached while it still runs. A client bound to another node's address
 * still reaches it (as a client on the node's own network would). Only 127.0.0.0/8, and the rule is removed on close
 * (or when the JVM exits).
 */
public final class LoopbackCut implements AutoCloseable {

    private static final Pattern LOOPBACK =
            Pattern.compile("127\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.([0-9]{1,3})\\.([0-9]{1,3})");
    private final List<String> rule;
    private final Thread onExit;
    private boolean closed;

    private LoopbackCut(String address) {
        this.rule = List.of("INPUT", "-s", "127.0.0.1/32", "-d", address + "/32", "-j", "DROP");
        this.onExit = new Thread(this::remove, "loopback-cut-removal");
    }

    /** Cuts {@code address} (127.x.y.z, not 127.0.0.1) off from every unbound loopback client. */
    public static LoopbackCut isolate(String address) {
        assertThat(address)
                .as("a loopback address other than 127.0.0.1")
                .matches(LOOPBACK)
                .isNotEqualTo("127.0.0.1");
        LoopbackCut cut = new LoopbackCut(address);
        cut.iptables("-I");
        Runtime.getRuntime().addShutdownHook(cut.onExit);
        return cut;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            remove();
            Runtime.getRuntime().removeShutdownHook(onExit);
        }
    }

    private synchronized void remove() {
        if (!closed) {
            closed = true;
            iptables("-D");
        }
    }

    private void iptables(String action) {
        List<String> argv = new ArrayList<>(List.of("iptables", "-w", "5", action));
        argv.addAll(rule);
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", argv) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", argv) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", argv), e);
        }
    }
}
