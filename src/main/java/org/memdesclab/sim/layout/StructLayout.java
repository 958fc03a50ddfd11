package org.memdesclab.sim.layout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The layout of one kernel struct in one kernel profile: its size and its members by name. */
public final class StructLayout {
    private final String name;
    private final int size;
    private final Map<String, Field> fields;

    private StructLayout(String name, int size, Map<String, Field> fields) {
        this.name = name;
        this.size = size;
        this.fields = fields;
    }

    /** "struct page", "struct folio", ... */
    public String name() { return name; }

    public int size() { return size; }

    public Field field(String fieldName) { return fields.get(fieldName); }

    public boolean has(String fieldName) { return fields.containsKey(fieldName); }

    public int offsetof(String fieldName) {
        Field f = fields.get(fieldName);
        if (f == null) throw new IllegalArgumentException("no member named '" + fieldName + "' in '" + name + "'");
        return f.offset();
    }

    public List<Field> fields() { return Collections.unmodifiableList(new ArrayList<>(fields.values())); }

    public static Builder builder(String name, int size) { return new Builder(name, size); }

    /** Collects members in declaration order and refuses ones that do not fit. */
    public static final class Builder {
        private final String name;
        private final int size;
        private final Map<String, Field> fields = new LinkedHashMap<>();

        private Builder(String name, int size) { this.name = name; this.size = size; }

        public Builder field(String n, int offset, int sz, String ctype, FieldKind kind) {
            return add(Field.of(n, offset, sz, ctype, kind));
        }

        public Builder ptr(String n, int offset, String ctype) { return field(n, offset, 8, ctype, FieldKind.POINTER); }

        public Builder ulong(String n, int offset) { return field(n, offset, 8, "unsigned long", FieldKind.UNSIGNED); }

        public Builder flags(String n, int offset, String ctype) { return field(n, offset, 8, ctype, FieldKind.FLAGS); }

        public Builder s32(String n, int offset, String ctype) { return field(n, offset, 4, ctype, FieldKind.SIGNED); }

        public Builder u32(String n, int offset, String ctype) { return field(n, offset, 4, ctype, FieldKind.UNSIGNED); }

        /** A struct list_head member with its next and prev pointers. */
        public Builder listHead(String n, int offset, String nextType) {
            add(Field.of(n, offset, 16, "struct list_head", FieldKind.AGGREGATE));
            ptr(n + ".next", offset, nextType);
            return ptr(n + ".prev", offset + 8, nextType);
        }

        public Builder aggregate(String n, int offset, int sz, String ctype) {
            return add(Field.of(n, offset, sz, ctype, FieldKind.AGGREGATE));
        }

        public Builder bits(String n, int offset, int storage, int shift, int width, String ctype) {
            return add(Field.bits(n, offset, storage, shift, width, ctype));
        }

        public Builder add(Field f) {
            if (f.offset() < 0 || f.offset() + f.size() > size) {
                throw new IllegalArgumentException(name + "." + f.name() + " does not fit in " + size + " bytes");
            }
            if (fields.putIfAbsent(f.name(), f) != null) throw new IllegalArgumentException("duplicate " + f.name());
            return this;
        }

        public StructLayout build() { return new StructLayout(name, size, Collections.unmodifiableMap(fields)); }
    }
}
