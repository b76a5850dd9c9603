package io.polarstack.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StepMirrorTest {

    private final Queue<Runnable> queued = new ArrayDeque<>();
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final StepMirror mirror = new StepMirror(queued::add);

    @Test
    void onlyTheNewestStepOfAClusterIsWrittenAndEachClusterGetsItsOwn() {
        mirror.later("a", () -> written.add("a:1"));
        mirror.later("a", () -> written.add("a:2"));
        mirror.later("b", () -> written.add("b:1"));
        mirror.later("a", () -> written.add("a:3"));

        runQueued();

        assertThat(written).containsExactly("a:3", "b:1");
    }

    @Test
    void anOrderedWriteDropsTheStepStillWaitingAndLaterStepsAreWrittenAgain() {
        mirror.later("a", () -> written.add("a:step"));
        mirror.now("a", () -> written.add("a:end"));
        runQueued();
        mirror.later("a", () -> written.add("a:next flow"));
        runQueued();

        assertThat(written).containsExactly("a:end", "a:next flow");
    }

    @Test
    void anOrderedWriteWaitsForAStepWriteUnderWay() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        StepMirror threaded = new StepMirror(writer);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        threaded.later("a", () -> {
            writing.countDown();
            await(release);
            written.add("a:step");
        });
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        Thread ender = new Thread(() -> threaded.now("a", () -> written.add("a:end")));
        ender.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ender.getState() != Thread.State.BLOCKED && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertThat(ender.getState())
                .as("the end waits on the step write's stripe")
                .isEqualTo(Thread.State.BLOCKED);
        assertThat(written).isEmpty();
        release.countDown();
        ender.join(10_000);
        writer.shutdown();

        assertThat(written).containsExactly("a:step", "a:end");
    }

    private void runQueued() {
        for (Runnable r; (r = queued.poll()) != null; ) {
            r.run();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
