package io.polarstack.orchestrator.testing;

import io.polarstack.orchestrator.api.MPDCluster;
import io.polarstack.orchestrator.api.MPDClusterSpec;
import io.polarstack.orchestrator.api.MPDClusterStatus;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@link RecordingClusterResources} whose writes fail on demand (a name in {@link #failing}: {@code updateStatus},
 * {@code updateSpec}, {@code annotate}, {@code deletePod}), and whose deleted pods may linger, terminating, until
 * {@link #finishDeletes()}.
 */
public class FaultyClusterResources extends RecordingClusterResources {

    public final Set<String> failing = ConcurrentHashMap.newKeySet();
    /** Every pod delete asked for, in order. */
    public final java.util.List<String> deletedPods = new java.util.concurrent.CopyOnWriteArrayList<>();

    public volatile boolean podsLinger;
    private final Set<String> lingering = ConcurrentHashMap.newKeySet();

    public FaultyClusterResources(String sample) {
        super(sample);
    }

    private void check(String call) {
        if (failing.contains(call)) {
            throw new IllegalStateException("the API server refused " + call + " (test)");
        }
    }

    @Override
    public MPDCluster updateStatus(String namespace, String name, Consumer<MPDClusterStatus> change) {
        check("updateStatus");
        return super.updateStatus(namespace, name, change);
    }

    @Override
    public MPDCluster updateSpec(String namespace, String name, Consumer<MPDClusterSpec> change) {
        check("updateSpec");
        return super.updateSpec(namespace, name, change);
    }

    @Override
    public MPDCluster annotate(String namespace, String name, Map<String, String> set, Set<String> remove) {
        check("annotate");
        return super.annotate(namespace, name, set, remove);
    }

    @Override
    public void deletePod(String namespace, String name) {
        check("deletePod");
        deletedPods.add(name);
        if (podsLinger) {
            lingering.add(namespace + "/" + name);
        } else {
            super.deletePod(namespace, name);
        }
    }

    @Override
    public Optional<PodState> pod(String namespace, String name) {
        return super.pod(namespace, name)
                .map(p -> lingering.contains(namespace + "/" + name)
                        ? new PodState(p.name(), p.nodeName(), p.hostIp(), p.phase(), p.ready(), true)
                        : p);
    }

    /** The lingering pods finally go. */
    public void finishDeletes() {
        podsLinger = false;
        for (String pod : Set.copyOf(lingering)) {
            lingering.remove(pod);
            super.deletePod(pod.substring(0, pod.indexOf('/')), pod.substring(pod.indexOf('/') + 1));
        }
    }
}
