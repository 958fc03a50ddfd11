package org.memdesclab.sim.layout;

/** How the console shows a field's value. */
public enum FieldKind {
    /** A pointer: printed as 0x and 16 hex digits, NULL when zero. */
    POINTER,
    /** A signed integer (atomic_t, int). */
    SIGNED,
    /** An unsigned integer. */
    UNSIGNED,
    /** A flags word or bit field set, printed in hex. */
    FLAGS,
    /** An aggregate (struct or array): reading it prints its raw bytes. */
    AGGREGATE
}
