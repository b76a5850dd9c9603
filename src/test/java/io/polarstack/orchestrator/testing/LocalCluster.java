package io.polarstack.orchestrator.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against the local multi-node Kubernetes cluster of {@code scripts/local-cluster}:
 * started once per test run (or reused when it already runs) and handed to tests as a fabric8
 * {@code KubernetesClient} parameter, or as {@link LocalClusterExtension.Cluster} for its nodes, registry and images.
 * A cluster this extension started is stopped when the test run ends, unless
 * {@code -Dpolarstack.local-cluster.keep=true}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LocalClusterExtension.class)
public @interface LocalCluster {}
