package io.polarstack.orchestrator.adapters.ssh;

import io.polarstack.orchestrator.OrchestratorProperties;
import io.polarstack.orchestrator.ports.ClusterResources;
import io.polarstack.orchestrator.ports.StorageFabricException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordUtils;

/**
 * The SSH login (user, private key, optional passphrase) and the trusted host keys, read from Kubernetes at each
 * new connection, so a rotated Secret takes effect without a restart. Each problem is reported with the object,
 * the key and what it should hold; key material never appears in a message.
 */
final class SshCredentials {

    static final String USERNAME = "username";
    static final String PRIVATE_KEY = "ssh-privatekey";
    static final String PASSPHRASE = "passphrase";
    static final String KNOWN_HOSTS = "known_hosts";
    private static final String KEY_EXPECTED =
            "an unencrypted or passphrase-protected private key in OpenSSH, PEM or PKCS#8 format"
                    + " (ed25519, ECDSA or RSA), e.g. created with: kubectl create secret generic %s -n %s --from-literal=username=root"
                    + " --from-file=ssh-privatekey=$HOME/.ssh/id_ed25519";

    record Login(String username, KeyProvider key) {}

    private final ClusterResources cluster;
    private final OrchestratorProperties.Storage settings;

    SshCredentials(ClusterResources cluster, OrchestratorProperties.Storage settings) {
        this.cluster = cluster;
        this.settings = settings;
    }

    Login login(SSHClient client) {
        String ns = settings.namespace();
        String name = settings.credentialsSecret();
        String secret = "Secret " + ns + "/" + name;
        String expected = String.format(KEY_EXPECTED, name, ns);
        Map<String, byte[]> data = cluster.secretData(ns, name)
                .orElseThrow(() -> new StorageFabricException(
                        secret + " (orchestrator.storage.credentials-secret) not found; it must hold key " + USERNAME
                                + " and key " + PRIVATE_KEY + " with " + expected));
        String username = text(data.get(USERNAME));
        if (username == null || username.isBlank()) {
            throw new StorageFabricException(
                    secret + " has no key " + USERNAME + "; expected the SSH user on the storage hosts, e.g. root");
        }
        String privateKey = text(data.get(PRIVATE_KEY));
        if (privateKey == null || privateKey.isBlank()) {
            throw new StorageFabricException(secret + " has no key " + PRIVATE_KEY + "; expected " + expected);
        }
        char[] passphrase = data.containsKey(PASSPHRASE)
                ? text(data.get(PASSPHRASE)).strip().toCharArray()
                : null;
        try {
            KeyProvider key = client.loadKeys(
                    privateKey, null, passphrase == null ? null : PasswordUtils.createOneOff(passphrase));
            key.getPrivate(); // parse now: a bad key is a clear error here, not a failed login later
            return new Login(username.strip(), key);
        } catch (IOException | RuntimeException e) {
            throw new StorageFabricException(secret + " key " + PRIVATE_KEY + " cannot be used as a private key ("
                    + e.getClass().getSimpleName()
                    + (passphrase == null ? "; if it is encrypted, add key " + PASSPHRASE : "; check key " + PASSPHRASE)
                    + "); expected " + expected);
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
    }

    HostKeyVerifier hostKeyVerifier() {
        String source = settings.knownHosts();
        String ns = settings.namespace();
        int slash = source.indexOf('/');
        String kind = slash < 0 ? "" : source.substring(0, slash).toLowerCase(java.util.Locale.ROOT);
        String name = source.substring(slash + 1);
        String what;
        String text;
        switch (kind) {
            case "configmap" -> {
                what = "ConfigMap " + ns + "/" + name;
                text = cluster.configMapData(ns, name)
                        .orElseThrow(() -> missing("ConfigMap " + ns + "/" + name))
                        .get(KNOWN_HOSTS);
            }
            case "secret" -> {
                what = "Secret " + ns + "/" + name;
                text = text(cluster.secretData(ns, name)
                        .orElseThrow(() -> missing("Secret " + ns + "/" + name))
                        .get(KNOWN_HOSTS));
            }
            default ->
                throw new StorageFabricException("orchestrator.storage.known-hosts is \"" + source
                        + "\"; expected configmap/<name> or secret/<name>");
        }
        if (text == null || text.isBlank()) {
            throw new StorageFabricException(
                    what + " has no key " + KNOWN_HOSTS + "; expected known_hosts lines such as "
                            + "\"[10.0.0.5]:22 ssh-ed25519 AAAA...\", e.g. from: ssh-keyscan -p 22 10.0.0.5");
        }
        try {
            return new OpenSSHKnownHosts(new StringReader(text));
        } catch (IOException e) {
            throw new StorageFabricException(
                    what + " key " + KNOWN_HOSTS + " cannot be read as known_hosts: " + e.getMessage(), e);
        }
    }

    String knownHostsSource() {
        return settings.knownHosts() + " in namespace " + settings.namespace();
    }

    private static StorageFabricException missing(String what) {
        return new StorageFabricException(
                what + " (orchestrator.storage.known-hosts) not found; create it with key " + KNOWN_HOSTS
                        + " holding the storage hosts' public keys (ssh-keyscan output), or set orchestrator.storage.accept-any-host-key=true"
                        + " in a lab");
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
