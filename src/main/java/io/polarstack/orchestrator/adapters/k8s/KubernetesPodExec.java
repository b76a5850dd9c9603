package io.polarstack.orchestrator.adapters.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.polarstack.orchestrator.ports.PodExec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Component;

/** {@link PodExec} through the API server's exec subresource (what {@code kubectl exec -i -c <container>} does). */
@Component
class KubernetesPodExec implements PodExec {

    /** API server and kubelet phrases for a container that cannot take an exec yet; worth a retry. */
    private static final List<String> NOT_READY = List.of(
            "container not found",
            "pod does not exist",
            "starting container process caused",
            "is waiting to start",
            "does not have a host assigned",
            "containercreating",
            "podinitializing");

    private final KubernetesClient client;

    KubernetesPodExec(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Result exec(Target target, List<String> argv, byte[] stdin, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods()
                .inNamespace(target.namespace())
                .withName(target.pod())
                .inContainer(target.container())
                .redirectingInput()
                .writingOutput(out)
                .writingError(err)
                .exec(argv.toArray(String[]::new))) {
            OutputStream in = watch.getInput();
            in.write(stdin);
            in.flush();
            Integer code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(
                    code == null ? -1 : code,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            throw new ExecException(
                    argv.get(0) + " in " + target + " did not finish within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw classify(target, e.getCause() == null ? e : e.getCause());
        } catch (KubernetesClientException | IOException e) {
            throw classify(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecException("interrupted while exec in " + target, e);
        }
    }

    static ExecException classify(Target target, Throwable e) {
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        boolean notReady = NOT_READY.stream().anyMatch(lower::contains)
                || (e instanceof KubernetesClientException k
                        && (k.getCode() == 404 || k.getCode() == 400 && lower.contains("container")));
        return notReady
                ? new ContainerNotReadyException("exec in " + target + ": " + message, e)
                : new ExecException("exec in " + target + " failed: " + message, e);
    }
}
