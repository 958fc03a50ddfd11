package org.memdesclab.sim.lang;

import java.util.Map;
import org.memdesclab.sim.KernelProfile;
import org.memdesclab.sim.layout.StructLayout;

/**
 * A C type as the console's type checker sees it: integer types (with their width and signedness),
 * {@code void}, named structs (whose layout comes from the machine's kernel profile, so
 * {@code struct slab} or {@code struct zpdesc} work as soon as a profile declares them) and pointers.
 */
public sealed interface CType permits CType.Int, CType.Void, CType.Struct, CType.Ptr, CType.Agg {

    /** How the type is spelled in C and in the compiler's messages ("struct page *", "unsigned long"). */
    String spelling();

    /** An integer type. {@code name} is the spelling (typedef names such as gfp_t keep their name). */
    record Int(String name, int size, boolean signed) implements CType {
        @Override
        public String spelling() { return name; }

        /** The value of {@code bits} converted to this type, as C conversion does (truncate, then sign- or zero-extend). */
        public long normalize(long bits) {
            return switch (size) {
                case 1 -> name.equals("bool") ? (bits != 0 ? 1 : 0) : signed ? (byte) bits : bits & 0xff;
                case 2 -> signed ? (short) bits : bits & 0xffff;
                case 4 -> signed ? (int) bits : bits & 0xffffffffL;
                default -> bits;
            };
        }
    }

    record Void() implements CType {
        @Override
        public String spelling() { return "void"; }
    }

    /** {@code struct NAME}; its size and members come from the profile's layout of that name. */
    record Struct(String name) implements CType {
        @Override
        public String spelling() { return "struct " + name; }
    }

    /**
     * A member that is an aggregate the console does not model as a struct (an array such as
     * {@code mm_id_mapcount_t[2]}, an embedded union): it can only be printed, as raw words.
     */
    record Agg(String spelling, int size) implements CType {}

    /** A pointer; {@code constTarget} is kept only for messages ("const struct page *"). */
    record Ptr(CType target, boolean constTarget) implements CType {
        @Override
        public String spelling() {
            String t = (constTarget ? "const " : "") + target.spelling();
            return t.endsWith("*") ? t + "*" : t + " *";
        }

        /** Same pointee, ignoring qualifiers. */
        public boolean sameTarget(Ptr o) { return stripConst(target).equals(stripConst(o.target)); }

        public boolean isVoid() { return target instanceof Void; }

        public boolean isStruct(String n) { return target instanceof Struct s && s.name().equals(n); }
    }

    Int INT = new Int("int", 4, true);
    Int UINT = new Int("unsigned int", 4, false);
    Int LONG = new Int("long", 8, true);
    Int ULONG = new Int("unsigned long", 8, false);
    Int BOOL = new Int("bool", 1, false);
    Int CHAR = new Int("char", 1, true);
    Int GFP = new Int("gfp_t", 4, false);
    Int SIZE_T = new Int("size_t", 8, false);
    Int PHYS = new Int("phys_addr_t", 8, false);
    Void VOID = new Void();
    Ptr VOID_PTR = new Ptr(VOID, false);
    Ptr PAGE_PTR = ptrTo("page");
    Ptr FOLIO_PTR = ptrTo("folio");
    Ptr STRING = new Ptr(CHAR, true);

    static Ptr ptrTo(String structName) { return new Ptr(new Struct(structName), false); }

    private static CType stripConst(CType t) { return t instanceof Ptr p ? new Ptr(stripConst(p.target()), false) : t; }

    /** Integer type names the console understands, by spelling. */
    Map<String, Int> INT_NAMES = Map.ofEntries(
            Map.entry("int", INT), Map.entry("signed int", INT), Map.entry("signed", INT),
            Map.entry("unsigned int", UINT), Map.entry("unsigned", UINT),
            Map.entry("long", LONG), Map.entry("long int", LONG), Map.entry("signed long", LONG),
            Map.entry("long long", new Int("long long", 8, true)),
            Map.entry("unsigned long", ULONG), Map.entry("unsigned long int", ULONG),
            Map.entry("unsigned long long", new Int("unsigned long long", 8, false)),
            Map.entry("short", new Int("short", 2, true)), Map.entry("unsigned short", new Int("unsigned short", 2, false)),
            Map.entry("char", CHAR), Map.entry("signed char", new Int("signed char", 1, true)),
            Map.entry("unsigned char", new Int("unsigned char", 1, false)),
            Map.entry("bool", BOOL), Map.entry("_Bool", BOOL), Map.entry("gfp_t", GFP), Map.entry("size_t", SIZE_T),
            Map.entry("phys_addr_t", PHYS), Map.entry("pgoff_t", ULONG),
            Map.entry("u8", new Int("u8", 1, false)), Map.entry("u16", new Int("u16", 2, false)),
            Map.entry("u32", new Int("u32", 4, false)), Map.entry("u64", new Int("u64", 8, false)),
            Map.entry("s8", new Int("s8", 1, true)), Map.entry("s16", new Int("s16", 2, true)),
            Map.entry("s32", new Int("s32", 4, true)), Map.entry("s64", new Int("s64", 8, true)),
            Map.entry("atomic_t", INT), Map.entry("pfn_t", ULONG),
            Map.entry("slab_flags_t", new Int("slab_flags_t", 4, false)),
            Map.entry("vm_fault_t", new Int("vm_fault_t", 4, false)), Map.entry("loff_t", new Int("loff_t", 8, true)));

    /** Structs the lab knows the size of without a profile layout (they are not overlays of struct page). */
    Map<String, Integer> BUILTIN_STRUCT_SIZES = Map.of("list_head", 16, "callback_head", 16, "llist_node", 8);

    /** sizeof(t) in this profile, or -1 if the type is incomplete here. */
    static long sizeOf(CType t, KernelProfile profile) {
        if (t instanceof Int i) return i.size();
        if (t instanceof Ptr) return 8;
        if (t instanceof Agg a) return a.size();
        if (t instanceof Struct s) {
            StructLayout l = profile.layout(s.name());
            if (l != null) return l.size();
            Integer b = BUILTIN_STRUCT_SIZES.get(s.name());
            return b == null ? -1 : b;
        }
        return -1;
    }
}
