package io.polarstack.orchestrator.agent;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The time an action may take. Every wait and every child process is bounded by it; when it passes, the
 * watchdog in {@link ManagerAgent} kills the tracked children and answers {@code TIMEOUT}.
 */
public final class Deadline {

    private final long endNanos;
    private final Duration total;
    private final Set<Process> children = ConcurrentHashMap.newKeySet();

    public Deadline(Duration total) {
        this.total = total;
        this.endNanos = System.nanoTime() + total.toNanos();
    }

    public Duration total() {
        return total;
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    public boolean passed() {
        return System.nanoTime() >= endNanos;
    }

    /** {@code wanted}, but never past the deadline. */
    public Duration capped(Duration wanted) {
        Duration left = remaining();
        return wanted.compareTo(left) < 0 ? wanted : left;
    }

    /** Sleeps a poll interval, or fails with {@code TIMEOUT} saying what it waited for. */
    public void pause(long millis, String waitingFor) {
        if (passed()) {
            throw new AgentException(
                    ErrorCode.TIMEOUT, "timed out after " + total.toSeconds() + " s waiting for " + waitingFor);
        }
        try {
            Thread.sleep(Math.min(millis, Math.max(1, remaining().toMillis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(ErrorCode.INTERNAL, "interrupted while waiting for " + waitingFor, e);
        }
    }

    void track(Process p) {
        children.add(p);
    }

    void untrack(Process p) {
        children.remove(p);
    }

    void killChildren() {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
