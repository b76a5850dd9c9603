package io.polarstack.orchestrator.ports;

import java.time.Duration;
import java.util.List;

/** Runs a program in a pod's container: argv (never a shell string), bytes on stdin, output and exit code back. */
public interface PodExec {

    record Target(String namespace, String pod, String container) {
        @Override
        public String toString() {
            return namespace + "/" + pod + " container " + container;
        }
    }

    record Result(int exitCode, String stdout, String stderr) {}

    /**
     * Runs {@code argv} with {@code stdin} as its input; waits at most {@code timeout}.
     *
     * @throws ContainerNotReadyException when the pod or container is not there or not running yet (safe to retry)
     * @throws ExecException for any other failure to run the program (not the program's own non-zero exit)
     */
    Result exec(Target target, List<String> argv, byte[] stdin, Duration timeout);

    class ExecException extends RuntimeException {
        public ExecException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The container cannot take an exec yet: not found, not started, or its pod not scheduled. */
    class ContainerNotReadyException extends ExecException {
        public ContainerNotReadyException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
