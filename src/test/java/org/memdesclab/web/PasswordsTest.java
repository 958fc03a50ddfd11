package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PBKDF2 password hashes, codes and CSV quoting: the small pieces the classroom relies on. */
class PasswordsTest {
    @Test
    void hashesArePbkdf2With210000IterationsAndARandomSalt() {
        String a = Passwords.hash("correct horse battery");
        String b = Passwords.hash("correct horse battery");
        String[] p = a.split("\\$");
        assertEquals("pbkdf2-sha256", p[0]);
        assertTrue(Integer.parseInt(p[1]) >= 210_000, a);
        assertEquals(16, java.util.Base64.getDecoder().decode(p[2]).length);
        assertEquals(32, java.util.Base64.getDecoder().decode(p[3]).length);
        assertNotEquals(a, b, "two hashes of one password must differ (random salt)");
        assertTrue(Passwords.verify("correct horse battery", a));
        assertTrue(Passwords.verify("correct horse battery", b));
        assertFalse(Passwords.verify("correct horse batterY", a));
        assertFalse(Passwords.verify("correct horse battery", null));
        assertFalse(Passwords.verify("correct horse battery", "md5$abc"));
        assertNotNull(Passwords.problem("short"));
        assertNull(Passwords.problem("long enough!"));
    }

    @Test
    void codesUseNoConfusableCharactersAndReadBackCaseBlind() {
        for (int i = 0; i < 200; i++) {
            String c = Codes.random(Codes.RESUME_LENGTH);
            assertEquals(8, c.length());
            assertFalse(c.matches(".*[01OIL].*"), c);
            assertEquals(c, Codes.normalise(Codes.pretty(c).toLowerCase(), Codes.RESUME_LENGTH));
        }
        assertNull(Codes.normalise("ABCD-EFG0", Codes.RESUME_LENGTH), "0 is not in the alphabet");
        assertNull(Codes.normalise("ABC", Codes.RESUME_LENGTH));
    }

    @Test
    void csvQuotesEveryFieldAndDefusesFormulas() {
        String s = new Csv().row(java.util.List.of("a,b", "say \"hi\"", "line\nbreak", "=HYPERLINK(1)", "")).toString();
        assertEquals("\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",\"'=HYPERLINK(1)\",\"\"\r\n", s);
    }
}
