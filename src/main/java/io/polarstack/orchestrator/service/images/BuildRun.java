package io.polarstack.orchestrator.service.images;

import java.io.IOException;
import java.net.InetAddress;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * What every image of one BuildImages run shares, as image.py chose it: a short run id (labels the images, so a
 * repeated build step knows its image), the timestamp in the tags, and who built ({@code user@host}).
 */
public record BuildRun(String id, String timestamp, String builtBy) {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    /** A new run, started at {@code now} by {@code user} on {@code host}. */
    public static BuildRun started(LocalDateTime now, String user, String host) {
        return new BuildRun(UUID.randomUUID().toString().substring(0, 8), now.format(TIMESTAMP), user + "@" + host);
    }

    /** A new run started now by this process's user on this machine. */
    public static BuildRun startedHere() {
        return started(LocalDateTime.now(), System.getProperty("user.name"), hostName());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
