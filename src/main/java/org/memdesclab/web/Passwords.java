package org.memdesclab.web;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Instructor passwords: the JDK's PBKDF2WithHmacSHA256 with 210,000 iterations (OWASP's figure for
 * this PRF), a random 16-byte salt per password and a 32-byte hash, stored as
 * {@code pbkdf2-sha256$210000$SALT$HASH}. Verification compares in constant time and reads the
 * iteration count from the stored value, so the count can rise later without breaking old hashes.
 */
final class Passwords {
    static final int ITERATIONS = 210_000;
    static final int MIN_LENGTH = 10;
    private static final String ALG = "PBKDF2WithHmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Checked against when the account does not exist, so a login takes as long either way. */
    private static final String DUMMY = hash("not a password of anyone's");

    private Passwords() {}

    static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] h = derive(password, salt, ITERATIONS);
        Base64.Encoder b = Base64.getEncoder().withoutPadding();
        return "pbkdf2-sha256$" + ITERATIONS + "$" + b.encodeToString(salt) + "$" + b.encodeToString(h);
    }

    /** True if the password matches; a null or malformed stored value never matches. */
    static boolean verify(String password, String stored) {
        if (stored == null) {
            verify(password, DUMMY);
            return false;
        }
        String[] p = stored.split("\\$");
        if (p.length != 4 || !p[0].equals("pbkdf2-sha256")) return false;
        int iterations;
        byte[] salt;
        byte[] expected;
        try {
            iterations = Integer.parseInt(p[1]);
            salt = Base64.getDecoder().decode(p[2]);
            expected = Base64.getDecoder().decode(p[3]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(derive(password, salt, iterations), expected);
    }

    /** Why a new password is refused, or null if it is acceptable. */
    static String problem(String password) {
        if (password == null || password.length() < MIN_LENGTH) return "a password needs at least " + MIN_LENGTH + " characters";
        if (password.length() > 200) return "a password has at most 200 characters";
        return null;
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance(ALG).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALG + " is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
