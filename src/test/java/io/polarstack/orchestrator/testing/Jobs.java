package io.polarstack.orchestrator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;

/** Runs a flow's jobs by hand (the test engines' job executor is off): to the end, to a step, out of retries. */
public final class Jobs {

    private Jobs() {
    }

    /** Starts {@code key} for the test cluster (business key and cluster variables as the operator sets them). */
    public static ProcessInstance start(ProcessEngine engine, RecordingClusterResources resources, String key,
            Map<String, Object> variables) {
        Map<String, Object> all = new HashMap<>(variables);
        String ns = resources.cluster.getMetadata().getNamespace();
        String name = resources.cluster.getMetadata().getName();
        all.put("clusterNamespace", ns);
        all.put("clusterName", name);
        return engine.getRuntimeService().startProcessInstanceByKey(key, ns + "/" + name, all);
    }

    /** Runs every executable job until none is left; returns how many runs failed. */
    public static int drive(ProcessEngine engine) {
        int failures = 0;
        for (int round = 0; round < 2000; round++) {
            List<Job> jobs = engine.getManagementService().createJobQuery().executable().list();
            if (jobs.isEmpty()) {
                return failures;
            }
            for (Job job : jobs) {
                try {
                    engine.getManagementService().executeJob(job.getId());
                } catch (RuntimeException e) {
                    failures++;
                }
            }
        }
        throw new AssertionError("jobs never ran out");
    }

    /**
     * Runs jobs until one waits at {@code activityId} (with its retries left), without running it. With several jobs
     * there over time (a step of a called flow run per instance), use {@link #drive} and then {@link #exhaust}.
     */
    public static void driveTo(ProcessEngine engine, String activityId) {
        for (int round = 0; round < 500; round++) {
            if (engine.getManagementService().createJobQuery().activityId(activityId).count() > 0) {
                return;
            }
            Job next = engine.getManagementService().createJobQuery().executable().list().stream().findFirst()
                    .orElseThrow(() -> new AssertionError("the flow never reached " + activityId));
            engine.getManagementService().executeJob(next.getId());
        }
        throw new AssertionError("the flow never reached " + activityId);
    }

    /** Runs the job at {@code activityId} until its retries are used up; returns the last failure. */
    public static Throwable exhaust(ProcessEngine engine, String activityId) {
        Throwable last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Job job = engine.getManagementService().createJobQuery().activityId(activityId).singleResult();
            assertThat(job).as("a job at " + activityId).isNotNull();
            if (job.getRetries() == 0) {
                return last;
            }
            try {
                engine.getManagementService().executeJob(job.getId());
                throw new AssertionError(activityId + " did not fail");
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new AssertionError(activityId + " kept retrying");
    }

    /** What a person does after fixing the cause: the failed job gets a retry and runs. */
    public static void retry(ProcessEngine engine, String activityId) {
        Job job = engine.getManagementService().createJobQuery().activityId(activityId).singleResult();
        engine.getManagementService().setJobRetries(job.getId(), 1);
        engine.getManagementService().executeJob(job.getId());
    }

    public static boolean ended(ProcessEngine engine, ProcessInstance instance) {
        return engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(instance.getId()).count() == 0;
    }

    /** Where the one open incident started (callers show it too, as caused by it); null when there is none. */
    public static String incidentAt(ProcessEngine engine) {
        var incidents = engine.getRuntimeService().createIncidentQuery().list().stream()
                .filter(i -> i.getId().equals(i.getRootCauseIncidentId())).toList();
        assertThat(incidents).as("open incidents").hasSizeLessThanOrEqualTo(1);
        return incidents.isEmpty() ? null : incidents.get(0).getActivityId();
    }
}
