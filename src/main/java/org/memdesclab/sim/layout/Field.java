package org.memdesclab.sim.layout;

/**
 * One member of a kernel struct: byte offset and size, optionally a bit field inside that storage,
 * its C type and how to print it. Nested members are named with dots ({@code lru.next}).
 */
public record Field(String name, int offset, int size, int bitShift, int bitWidth, String ctype, FieldKind kind) {

    public Field {
        if (size != 1 && size != 2 && size != 4 && size != 8 && kind != FieldKind.AGGREGATE) {
            throw new IllegalArgumentException(name + ": scalar of size " + size);
        }
    }

    public static Field of(String name, int offset, int size, String ctype, FieldKind kind) {
        return new Field(name, offset, size, 0, 0, ctype, kind);
    }

    public static Field bits(String name, int offset, int size, int shift, int width, String ctype) {
        return new Field(name, offset, size, shift, width, ctype, FieldKind.UNSIGNED);
    }

    public boolean isBitField() { return bitWidth > 0; }

    public boolean isPointer() { return kind == FieldKind.POINTER; }

    /** Extracts this field's value from the raw little-endian storage read at {@link #offset()}. */
    public long decode(long raw) {
        if (isBitField()) return (raw >>> bitShift) & ((1L << bitWidth) - 1);
        return switch (size) {
            case 1 -> kind == FieldKind.SIGNED ? (byte) raw : raw & 0xff;
            case 2 -> kind == FieldKind.SIGNED ? (short) raw : raw & 0xffff;
            case 4 -> kind == FieldKind.SIGNED ? (int) raw : raw & 0xffffffffL;
            default -> raw;
        };
    }
}
