package org.memdesclab.sim.lang;

import java.util.ArrayList;
import java.util.List;
import org.memdesclab.sim.KernelError;

/** Splits one console statement into C tokens; {@code //} and {@code /* *}{@code /} comments are dropped. */
final class Lexer {
    enum Kind { IDENT, NUMBER, STRING, PUNCT, EOF }

    /** One token; for numbers, {@code value} and the literal's C type. */
    record Token(Kind kind, String text, int pos, long value, CType type) {
        boolean is(String s) { return (kind == Kind.PUNCT || kind == Kind.IDENT) && text.equals(s); }

        String describe() { return kind == Kind.EOF ? "end of statement" : "'" + text + "'"; }
    }

    private static final String[] PUNCTS = {
        "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=",
        "%=", "&=", "|=", "^=", "(", ")", "[", "]", "{", "}", ",", ";", ".", "+", "-", "*", "/", "%", "&", "|", "^", "~",
        "!", "<", ">", "=", "?", ":", "#",
    };

    private Lexer() {}

    static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) { i++; continue; }
            if (s.startsWith("//", i)) break;
            if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) throw KernelError.error("unterminated /* comment");
                i = end + 2;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
                out.add(new Token(Kind.IDENT, s.substring(i, j), i, 0, null));
                i = j;
                continue;
            }
            if (Character.isDigit(c)) {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
                out.add(number(s.substring(i, j), i));
                i = j;
                continue;
            }
            if (c == '"') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (j < n && s.charAt(j) != '"') {
                    char d = s.charAt(j);
                    if (d == '\\' && j + 1 < n) {
                        char e = s.charAt(++j);
                        sb.append(switch (e) { case 'n' -> '\n'; case 't' -> '\t'; default -> e; });
                    } else {
                        sb.append(d);
                    }
                    j++;
                }
                if (j >= n) throw KernelError.error("missing terminating '\"' character");
                out.add(new Token(Kind.STRING, sb.toString(), i, 0, null));
                i = j + 1;
                continue;
            }
            if (c == '\'') throw KernelError.error("character constants are not supported by the console");
            String p = null;
            for (String cand : PUNCTS) {
                if (s.startsWith(cand, i)) { p = cand; break; }
            }
            if (p == null) {
                throw KernelError.error(Character.isISOControl(c) || c > 126
                        ? String.format("non-ASCII or control character U+%04X in statement", (int) c)
                        : "unexpected character '" + c + "'");
            }
            out.add(new Token(Kind.PUNCT, p, i, 0, null));
            i += p.length();
        }
        out.add(new Token(Kind.EOF, "", n, 0, null));
        return out;
    }

    /** An integer literal with C's rules for its type: int, unsigned int, long, unsigned long. */
    private static Token number(String lit, int pos) {
        String body = lit;
        String suffix = "";
        int k = body.length();
        while (k > 0 && "uUlL".indexOf(body.charAt(k - 1)) >= 0) k--;
        suffix = body.substring(k).toLowerCase();
        body = body.substring(0, k);
        boolean hex = body.startsWith("0x") || body.startsWith("0X");
        boolean octal = !hex && body.length() > 1 && body.startsWith("0");
        String digits = hex ? body.substring(2) : octal ? body.substring(1) : body;
        int radix = hex ? 16 : octal ? 8 : 10;
        boolean unsignedSuffix = suffix.contains("u");
        boolean longSuffix = suffix.contains("l");
        if (!suffix.isEmpty() && !suffix.matches("u|l|ul|lu|ll|ull|llu")) {
            throw KernelError.error("invalid suffix '" + lit.substring(k) + "' on integer constant");
        }
        if (digits.isEmpty() || !digits.chars().allMatch(ch -> Character.digit(ch, radix) >= 0)) {
            throw KernelError.error(hex || octal ? "invalid digit in " + (hex ? "hexadecimal" : "octal") + " constant '" + lit + "'"
                    : "invalid integer constant '" + lit + "'");
        }
        java.math.BigInteger v = new java.math.BigInteger(digits, radix);
        if (v.bitLength() > 64) throw KernelError.error("integer literal is too large to be represented in any integer type");
        long bits = v.longValue();
        boolean decimal = radix == 10;
        CType type;
        if (!longSuffix && !unsignedSuffix && v.bitLength() <= 31) type = CType.INT;
        else if (!longSuffix && (unsignedSuffix || !decimal) && v.bitLength() <= 32) type = CType.UINT;
        else if (!unsignedSuffix && v.bitLength() <= 63) type = CType.LONG;
        else type = CType.ULONG;
        return new Token(Kind.NUMBER, lit, pos, bits, type);
    }
}
