package io.polarstack.orchestrator.specs;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.polarstack.orchestrator.api.MPDCluster;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The cluster's two system accounts as PolarDB Stack named them: {@code aurora} (privilege 7, the superuser
 * the orchestrator administers with) and {@code replicator} (privilege 15, replication). The password is
 * made once ({@link #newPassword()}) and lives only in the Secret.
 */
public final class AccountSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    public enum Account {
        AURORA("aurora", 7),
        REPLICATOR("replicator", 15);

        final String user;
        final int privilege;

        Account(String user, int privilege) {
            this.user = user;
            this.privilege = privilege;
        }

        public String user() {
            return user;
        }
    }

    private AccountSecrets() {}

    public static String name(MPDCluster cluster, String logicId, Account account) {
        return cluster.getMetadata().getName() + "-" + logicId + "-" + account.user;
    }

    /** 24 random bytes, URL-safe Base64 (32 characters). */
    public static String newPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Both accounts' Secrets, each with a new password: the caller creates only those not there yet. */
    public static List<Secret> buildAll(MPDCluster cluster, String logicId) {
        return Arrays.stream(Account.values())
                .map(account -> build(cluster, logicId, account, newPassword()))
                .toList();
    }

    public static Secret build(MPDCluster cluster, String logicId, Account account, String password) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name(cluster, logicId, account))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Map.of(
                        "mpdcluster_name",
                        cluster.getMetadata().getName(),
                        Labels.CLUSTER,
                        cluster.getMetadata().getName()))
                .withOwnerReferences(InstancePods.owner(cluster))
                .endMetadata()
                .withType("Opaque")
                .addToStringData("Account", account.user)
                .addToStringData("Password", password)
                .addToStringData("Priviledge_type", Integer.toString(account.privilege)) // PolarDB Stack's key spelling
                .build();
    }
}
