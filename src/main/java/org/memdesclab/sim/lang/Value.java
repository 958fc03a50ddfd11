package org.memdesclab.sim.lang;

import org.memdesclab.sim.Gfp;

/**
 * A typed C value. {@code bits} holds integers normalised to their type and pointers as 64-bit
 * addresses. {@code known} is false while the statement is only being type-checked (calls are not
 * made then); {@code hex} asks for hexadecimal display (flags words); {@code nullConstant} marks the
 * literal 0 and NULL, which convert to any pointer type as in C; {@code text} holds a string literal.
 */
public record Value(CType type, long bits, boolean known, boolean hex, boolean nullConstant, String text) {

    public static Value of(CType type, long bits) {
        long b = type instanceof CType.Int i ? i.normalize(bits) : bits;
        return new Value(type, b, true, false, false, null);
    }

    public static Value unknown(CType type) { return new Value(type, 0, false, false, false, null); }

    public static Value integer(long v) { return of(CType.INT, v); }

    public static Value ulong(long v) { return of(CType.ULONG, v); }

    public static Value pointer(CType.Ptr type, long addr) { return of(type, addr); }

    public static Value string(String s) { return new Value(CType.STRING, 0, true, false, false, s); }

    public static final Value VOID = new Value(CType.VOID, 0, true, false, false, null);

    /** An aggregate member read from memory; {@code raw} is its printed form. */
    public static Value aggregate(CType type, String raw) { return new Value(type, 0, true, false, false, raw); }

    public Value withHex() { return new Value(type, bits, known, true, nullConstant, text); }

    public Value asNullConstant() { return new Value(type, bits, known, hex, bits == 0 && known, text); }

    public boolean isPointer() { return type instanceof CType.Ptr; }

    public boolean isInteger() { return type instanceof CType.Int; }

    public boolean isVoid() { return type instanceof CType.Void; }

    public boolean isString() { return text != null && type instanceof CType.Ptr; }

    /** The type as clang names it in messages: a string literal is {@code char[N]}. */
    public String typeName() { return isString() ? "char[" + (text.length() + 1) + "]" : type.spelling(); }

    /** True if the value is a (known) zero: the truth value in C. */
    public boolean isZero() { return bits == 0; }

    /** True for a pointer to a char type ({@code const char *}, {@code unsigned char *}): C's strings. */
    public boolean isCharPointer() {
        return type instanceof CType.Ptr p && p.target() instanceof CType.Int i && i.size() == 1 && !i.equals(CType.BOOL);
    }

    /** A C string as C source would spell it: in double quotes, with escapes for quotes, backslashes and control bytes. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\%03o", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    /** How the sim command prints this value (design.md section 3). */
    public String format() {
        if (text != null && (type instanceof CType.Agg || type instanceof CType.Struct)) return text;
        if (text != null) return quote(text);
        if (type instanceof CType.Ptr) return bits == 0 ? "NULL" : String.format("0x%016x", bits);
        if (type instanceof CType.Int i) {
            if (i.equals(CType.GFP)) return String.format("%#x(%s)", bits, bits == 0 ? "none" : Gfp.format((int) bits));
            if (hex) return String.format("%#x", bits);
            if (!i.signed() && i.size() == 8) return Long.toUnsignedString(bits);
            return Long.toString(bits);
        }
        return "";
    }
}
