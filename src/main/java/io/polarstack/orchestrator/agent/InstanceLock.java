package io.polarstack.orchestrator.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One mutating action per instance at a time: an fcntl lock on {@code <logDir>/ins_action_lock}, held for the whole
 * action. It goes with the process, so a killed agent frees it, and an agent whose caller went away (the exec was
 * cut, the orchestrator died) keeps it until it ends. A second action finds it held: the same action waits for the
 * running one (it then finds the work done), any other waits briefly and then fails with {@code INSTANCE_BUSY}
 * naming the holder, which the caller retries.
 */
final class InstanceLock implements AutoCloseable {

    /** In the log directory: a base backup or pg_rewind rewrites the data directory, never the log directory. */
    static final String FILE = "ins_action_lock";

    /**
     * The holders in this JVM (the resident agent serves requests on threads), by lock file. Only the thread holding
     * an entry opens the file: fcntl locks belong to the process, and closing any descriptor of the file would drop
     * the lock another thread holds on it.
     */
    private static final Map<Path, String> HELD_HERE = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock for {@code action}, waiting for a holder at most {@code otherWait} (another action) or until the
     * deadline (the same action: the running one does the work, this one then finds it done).
     */
    static InstanceLock take(Instance instance, Action action, String requestId, Duration otherWait) {
        Path file = instance.logDir().resolve(FILE).toAbsolutePath().normalize();
        String me = "action=" + action.command() + " requestId=" + requestId + " pid="
                + ProcessHandle.current().pid() + " since=" + Instant.now() + "\n";
        FileChannel channel = null;
        boolean mine = false;
        try {
            Files.createDirectories(instance.logDir());
            long giveUpOther = System.nanoTime() + otherWait.toNanos();
            boolean logged = false;
            while (true) {
                String here = HELD_HERE.putIfAbsent(file, me);
                mine = here == null;
                if (mine && channel == null) {
                    channel = FileChannel.open(
                            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                FileLock lock = mine ? tryLock(channel) : null;
                if (lock != null) {
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
                    return new InstanceLock(file, channel, lock);
                }
                Map<String, String> holder = mine ? holder(file) : fields(here);
                if (mine) {
                    closeQuietly(channel); // held by another process: wait without holding the file here
                    channel = null;
                    HELD_HERE.remove(file, me);
                    mine = false;
                }
                boolean same = action.command().equals(holder.get("action"));
                String who = describe(holder);
                if (!logged) {
                    instance.log().info("instance busy: %s; waiting for it to end", who);
                    logged = true;
                }
                if (!same && System.nanoTime() >= giveUpOther) {
                    throw new AgentException(
                            ErrorCode.INSTANCE_BUSY,
                            "instance " + instance.dataDir() + " is busy: " + who + "; " + action.command()
                                    + " does not run beside it (retry once it has ended)",
                            Map.of("holder", holder),
                            null);
                }
                instance.deadline().pause(200, who + " to end");
            }
        } catch (IOException e) {
            release(file, me, channel, mine);
            throw new AgentException(ErrorCode.INTERNAL, "cannot lock " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            release(file, me, channel, mine);
            if (e instanceof AgentException a && a.code() == ErrorCode.TIMEOUT) {
                throw new AgentException(
                        ErrorCode.INSTANCE_BUSY, a.getMessage() + " (the instance was busy)", Map.of(), a);
            }
            throw e;
        }
    }

    /** Null when another process (or, in tests, another thread of this JVM) holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** What the holder wrote into the file (action, requestId, pid, since); empty while it is still writing. */
    static Map<String, String> holder(Path file) {
        try {
            return fields(Files.readString(file));
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static Map<String, String> fields(String holder) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String word : holder.strip().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }

    private static void release(Path file, String me, FileChannel channel, boolean mine) {
        closeQuietly(channel);
        if (mine) {
            HELD_HERE.remove(file, me);
        }
    }

    private static String describe(Map<String, String> holder) {
        if (holder.isEmpty()) {
            return "another action of this instance is running";
        }
        return holder.getOrDefault("action", "an action") + " (request " + holder.getOrDefault("requestId", "?")
                + ", pid " + holder.getOrDefault("pid", "?") + ", since " + holder.getOrDefault("since", "?")
                + ") is running";
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing held yet
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        closeQuietly(channel);
        HELD_HERE.remove(file);
    }
}
