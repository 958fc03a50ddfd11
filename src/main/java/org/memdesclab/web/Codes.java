package org.memdesclab.web;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Short codes people type: resume codes and course join codes, from an alphabet without the
 * characters that are easy to confuse (0/O, 1/I/L), read back case-blind and ignoring spaces and dashes.
 */
final class Codes {
    static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    static final int RESUME_LENGTH = 8;
    static final int JOIN_LENGTH = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Codes() {}

    static String random(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return b.toString();
    }

    /** What the person typed, as stored: upper case, without spaces and dashes; null if it cannot be a code. */
    static String normalise(String typed, int length) {
        if (typed == null) return null;
        String s = typed.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
        if (s.length() != length) return null;
        for (int i = 0; i < s.length(); i++) if (ALPHABET.indexOf(s.charAt(i)) < 0) return null;
        return s;
    }

    /** "ABCD-EFGH": a resume code as shown, in two halves. */
    static String pretty(String code) {
        return code.length() == RESUME_LENGTH ? code.substring(0, 4) + "-" + code.substring(4) : code;
    }
}
