package io.polarstack.orchestrator.agent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A SCRAM-SHA-256 verifier as PostgreSQL stores it in {@code pg_authid.rolpassword} (RFC 5802 and 7677):
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, base64. Given to {@code CREATE/ALTER ROLE ...
 * PASSWORD}, the server keeps it as it is, so the plaintext never travels in SQL text, where pg_stat_statements, the
 * server log ({@code log_statement}, an error's STATEMENT line) and replicas' WAL would keep it.
 *
 * <p>The password is prepared as PostgreSQL's {@code pg_saslprep} does (RFC 4013), so a login with any client that
 * does the same (libpq, pgjdbc) matches: ASCII unchanged; otherwise non-ASCII spaces become spaces, "mapped to
 * nothing" characters go, NFKC; a result with prohibited or unassigned characters, or bad bidirectional text, means
 * the raw UTF-8 bytes are used instead, as the server does.
 */
public final class ScramVerifier {

    /** PostgreSQL's defaults (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
    public static final int ITERATIONS = 4096;

    static final int SALT_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramVerifier() {}

    /** A verifier for {@code password} with a new random salt. */
    public static String of(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return of(password, salt, ITERATIONS);
    }

    public static String of(String password, byte[] salt, int iterations) {
        byte[] salted = pbkdf2(saslprep(password).getBytes(StandardCharsets.UTF_8), salt, iterations);
        try {
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] serverKey = hmac(salted, "Server Key");
            Base64.Encoder b64 = Base64.getEncoder();
            return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey)
                    + ":" + b64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        } finally {
            Arrays.fill(salted, (byte) 0);
        }
    }

    /** PBKDF2-HMAC-SHA-256 with one block: the output is as long as the hash (RFC 5802 Hi()). */
    static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA256"));
            mac.update(salt);
            byte[] u = mac.doFinal(ByteBuffer.allocate(4).putInt(1).array());
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 4013 SASLprep as {@code pg_saslprep} applies it; the input unchanged where the server would use it raw. */
    static String saslprep(String password) {
        if (password.chars().allMatch(c -> c < 0x80)) {
            return password;
        }
        StringBuilder mapped = new StringBuilder();
        password.codePoints().forEach(cp -> {
            if (nonAsciiSpace(cp)) {
                mapped.append(' ');
            } else if (!mappedToNothing(cp)) {
                mapped.appendCodePoint(cp);
            }
        });
        String prepared = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        if (prepared.isEmpty() || prepared.codePoints().anyMatch(ScramVerifier::prohibited) || !bidiOk(prepared)) {
            return password;
        }
        return prepared;
    }

    /** RFC 3454 C.1.2. */
    private static boolean nonAsciiSpace(int cp) {
        return cp == 0x00A0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200B)
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }

    /** RFC 3454 B.1. */
    private static boolean mappedToNothing(int cp) {
        return cp == 0x00AD
                || cp == 0x034F
                || cp == 0x1806
                || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D)
                || cp == 0x2060
                || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF;
    }

    /** RFC 4013 section 2.3 (C.1.2, C.2.1 to C.9) and section 2.5 (unassigned, approximated by this runtime's Unicode). */
    private static boolean prohibited(int cp) {
        return nonAsciiSpace(cp)
                || cp < 0x20
                || cp == 0x7F
                || (cp >= 0x80 && cp <= 0x9F)
                || cp == 0x06DD
                || cp == 0x070F
                || cp == 0x180E
                || cp == 0x200C
                || cp == 0x200D
                || cp == 0x2028
                || cp == 0x2029
                || (cp >= 0x2060 && cp <= 0x2063)
                || (cp >= 0x206A && cp <= 0x206F)
                || cp == 0xFEFF
                || (cp >= 0xFFF9 && cp <= 0xFFFD)
                || (cp >= 0x1D173 && cp <= 0x1D17A)
                || (cp >= 0xE000 && cp <= 0xF8FF)
                || cp >= 0xF0000
                || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE
                || (cp >= 0xD800 && cp <= 0xDFFF)
                || (cp >= 0x2FF0 && cp <= 0x2FFB)
                || cp == 0x0340
                || cp == 0x0341
                || cp == 0x200E
                || cp == 0x200F
                || (cp >= 0x202A && cp <= 0x202E)
                || cp == 0xE0001
                || (cp >= 0xE0020 && cp <= 0xE007F)
                || !Character.isDefined(cp);
    }

    /** RFC 3454 section 6: right-to-left text has no left-to-right character and starts and ends right-to-left. */
    private static boolean bidiOk(String s) {
        int[] cps = s.codePoints().toArray();
        boolean randAl = false;
        boolean l = false;
        for (int cp : cps) {
            byte d = Character.getDirectionality(cp);
            randAl |= d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
            l |= d == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
        }
        if (!randAl) {
            return true;
        }
        return !l && rtl(cps[0]) && rtl(cps[cps.length - 1]);
    }

    private static boolean rtl(int cp) {
        byte d = Character.getDirectionality(cp);
        return d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }
}
