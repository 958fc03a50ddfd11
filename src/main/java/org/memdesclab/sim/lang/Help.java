package org.memdesclab.sim.lang;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.memdesclab.sim.KernelError;

/** The console's {@code help} and {@code help NAME} texts, built from the function table. */
final class Help {
    private Help() {}

    static List<String> overview(FunctionRegistry r, Collection<String> procFiles) {
        List<String> out = new ArrayList<>();
        out.add("The console runs C expressions against this machine's kernel, one statement per line:");
        out.add("  p = alloc_pages(GFP_KERNEL, 2)      assignment: prints nothing");
        out.add("  struct folio *f = page_folio(p);    C declarations work too");
        out.add("  page_to_pfn(p)                      an expression: prints its value");
        out.add("  p->_refcount   t->mapping           members are read from the struct page's raw bytes");
        out.add("  ((struct folio *)p)->_flags_1       casts reinterpret the bytes, as in C");
        out.add("  sizeof(struct page)  offsetof(struct folio, _nr_pages)   p + 1   q - p   a == b");
        out.add("  cat " + String.join(", cat ", procFiles) + "    // comments");
        out.add("Values: pointers print as 0x and 16 hex digits (NULL as NULL), integers in decimal, flags words");
        out.add("in hex, gfp_t as 0xcc0(GFP_KERNEL); an aggregate member (a list_head, an array, an embedded");
        out.add("struct page) prints its raw 64-bit words in memory order, in braces: {0x..., 0x...}.");
        out.add("struct pages are read-only: change them with the kernel's functions. Constants: GFP_* and __GFP_*,");
        out.add("NULL, PAGE_SIZE, PAGE_SHIFT, PAGE_OFFSET, vmemmap, MAX_PAGE_ORDER, pageblock_order, TAIL_MAPPING,");
        out.add("SLAB_HWCACHE_ALIGN, SLAB_TYPESAFE_BY_RCU, SLAB_ACCOUNT, SLAB_PANIC, ZERO_SIZE_PTR, KMALLOC_MAX_CACHE_SIZE,");
        out.add("NUMA_NO_NODE, PROT_*, MAP_*, FAULT_FLAG_WRITE, VM_FAULT_*, FOLL_WRITE, FOLL_FORCE, FOLL_LONGTERM,");
        out.add("GUP_PIN_COUNTING_BIAS, FOLIO_MAPPING_ANON, TASK_SIZE.");
        for (String g : r.groups()) {
            out.add("");
            out.add(g + ":");
            StringBuilder line = new StringBuilder("  ");
            for (FunctionDef d : r.all()) {
                if (!d.group().equals(g)) continue;
                if (line.length() > 2 && line.length() + d.name().length() > 98) {
                    out.add(line.toString().stripTrailing());
                    line = new StringBuilder("  ");
                }
                line.append(d.name()).append("  ");
            }
            out.add(line.toString().stripTrailing());
        }
        out.add("");
        out.add("help NAME shows a function's prototype, meaning and kernel source file.");
        return out;
    }

    static List<String> about(String name, FunctionRegistry r) {
        FunctionDef d = r.get(name);
        if (d == null) {
            var c = Evaluator.CONSTANTS.get(name);
            if (c != null) return List.of(name + " is a constant: (" + c.type().spelling() + ") " + c.format());
            return switch (name) {
                case "cat" -> List.of("cat /proc/FILE prints a /proc file in the kernel's exact format");
                case "help" -> List.of("help lists the functions; help NAME describes one");
                case "sizeof" -> List.of("sizeof(struct page), sizeof(p->flags): sizes in bytes in this kernel profile");
                case "offsetof" -> List.of("offsetof(struct folio, _nr_pages): a member's byte offset in this kernel profile");
                default -> throw KernelError.error("no help for '" + name + "': it is not a function, constant or command "
                        + "of the console (type help for the list)");
            };
        }
        List<String> out = new ArrayList<>();
        out.add(d.signature());
        out.add("  " + d.meaning());
        out.add("  defined in " + d.source());
        if (d.simplification() != null) out.add("  lab: " + d.simplification());
        return out;
    }
}
