package io.polarstack.orchestrator.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Keeps the status write of a step's start off the job thread: the job goes on at the engine's speed while one
 * writer shows each cluster's newest step, and steps that came and went meanwhile are never written. Writes that
 * must be in order with the steps (an incident, the flow's end) run {@link #now}: the step still waiting for that
 * cluster is dropped, and a step write already under way finishes first, so a late step never hides an end.
 */
final class StepMirror {

    /** Writes of one cluster are serialised on one of these; a few suffice, they are held for one API call. */
    private final Object[] stripes = new Object[32];

    private final Map<Object, Runnable> pending = new ConcurrentHashMap<>();
    private final Executor writer;

    StepMirror(Executor writer) {
        this.writer = writer;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /** The cluster's newest step: written soon, unless a newer one or an ordered write comes first. */
    void later(Object cluster, Runnable write) {
        if (pending.put(cluster, write) == null) {
            writer.execute(() -> {
                synchronized (stripe(cluster)) {
                    Runnable newest = pending.remove(cluster);
                    if (newest != null) {
                        newest.run();
                    }
                }
            });
        }
    }

    /** Writes on the caller's thread, after a step write under way and instead of one still waiting. */
    void now(Object cluster, Runnable write) {
        synchronized (stripe(cluster)) {
            pending.remove(cluster);
            write.run();
        }
    }

    private Object stripe(Object cluster) {
        return stripes[Math.floorMod(cluster.hashCode(), stripes.length)];
    }
}
