package io.polarstack.orchestrator.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class ScramVerifierTest {

    // RFC 7677 section 3: user "user", password "pencil".
    private static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private static final String AUTH_MESSAGE = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
            + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
            + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    @Test
    void theVerifierAcceptsTheRfc7677ExchangeAsAServerWould() throws Exception {
        String verifier = ScramVerifier.of("pencil", Base64.getDecoder().decode(SALT), 4096);
        assertThat(verifier).startsWith("SCRAM-SHA-256$4096:" + SALT + "$");
        String[] keys = verifier.substring(verifier.lastIndexOf('$') + 1).split(":");
        byte[] storedKey = Base64.getDecoder().decode(keys[0]);
        byte[] serverKey = Base64.getDecoder().decode(keys[1]);

        // The server's check: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage), and H(ClientKey) = StoredKey.
        byte[] proof = Base64.getDecoder().decode(CLIENT_PROOF);
        byte[] signature = hmac(storedKey, AUTH_MESSAGE);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ signature[i]);
        }
        assertThat(MessageDigest.getInstance("SHA-256").digest(clientKey)).isEqualTo(storedKey);
        assertThat(Base64.getEncoder().encodeToString(hmac(serverKey, AUTH_MESSAGE)))
                .isEqualTo(SERVER_SIGNATURE);
    }

    @Test
    void eachVerifierHasItsOwnSaltAndNeverThePassword() {
        String password = "s3cret-Passw0rd";
        String a = ScramVerifier.of(password);
        String b = ScramVerifier.of(password);
        assertThat(a).isNotEqualTo(b).doesNotContain(password);
        assertThat(a).matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/]{22}==\\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=");
    }

    @Test
    void passwordsArePreparedAsTheServerPreparesThem() {
        assertThat(ScramVerifier.saslprep("plain ascii\t'\"\\")).isEqualTo("plain ascii\t'\"\\");
        assertThat(ScramVerifier.saslprep("a\u00A0b")).as("non-ASCII space").isEqualTo("a b");
        assertThat(ScramVerifier.saslprep("so\u00ADft")).as("mapped to nothing").isEqualTo("soft");
        assertThat(ScramVerifier.saslprep("\u2168")).as("NFKC").isEqualTo("IX");
        assertThat(ScramVerifier.saslprep("p\u00E4ss")).isEqualTo("p\u00E4ss");
        assertThat(ScramVerifier.saslprep("x\u0085y"))
                .as("prohibited: used raw")
                .isEqualTo("x\u0085y");
        assertThat(ScramVerifier.saslprep("\u05D0a\u05D0"))
                .as("bad bidi: used raw")
                .isEqualTo("\u05D0a\u05D0");
    }

    private static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
