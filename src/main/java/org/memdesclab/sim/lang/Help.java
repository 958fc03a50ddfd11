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
        out.add("  compare_profiles                    lab: this console's statements under every kernel profile (help profile)");
        out.add("  for (i = 0; i < 16; i++) alloc_pages(GFP_KERNEL, 0)    loops: one statement, all or nothing");
        out.add("Values: pointers print as 0x and 16 hex digits (NULL as NULL), integers in decimal, flags words");
        out.add("in hex, gfp_t as 0xcc0(GFP_KERNEL); an aggregate member (a list_head, an array, an embedded");
        out.add("struct page) prints its raw 64-bit words in memory order, in braces: {0x..., 0x...}.");
        out.add("struct pages are read-only: change them with the kernel's functions. Constants: GFP_* and __GFP_*,");
        out.add("NULL, PAGE_SIZE, PAGE_SHIFT, PAGE_OFFSET, vmemmap, MAX_PAGE_ORDER, pageblock_order, TAIL_MAPPING,");
        out.add("SLAB_HWCACHE_ALIGN, SLAB_TYPESAFE_BY_RCU, SLAB_ACCOUNT, SLAB_NO_MERGE, SLAB_PANIC, ZERO_SIZE_PTR,");
        out.add("KMALLOC_MAX_CACHE_SIZE, NUMA_NO_NODE, PROT_*, MAP_*, FAULT_FLAG_WRITE, VM_FAULT_*, FOLL_WRITE, FOLL_FORCE,");
        out.add("FOLL_LONGTERM, GUP_PIN_COUNTING_BIAS, FOLIO_MAPPING_ANON, TASK_SIZE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,");
        out.add("MEMORY_DEVICE_*. A char pointer");
        out.add("into the kernel prints the string it points at (s->name prints \"foo\"); cast it to void * to see the address.");
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
                case "compare_profiles" -> List.of("compare_profiles: replays this console's statements on a fresh machine of "
                        + "the same size under every kernel profile (" + String.join(", ", org.memdesclab.sim.KernelProfile.ids())
                        + ") and prints what the memmap and the descriptors cost in each",
                        "  lab command, not a kernel one; statements that fail under a profile (struct slab in 5.15) change "
                        + "nothing there, as anywhere");
                case "profile", "profiles" -> List.of("the kernel profile decides the raw words of struct page: 6.18 (default), "
                        + "5.15 (slab fields, PG_slab and compound_order in struct page; no struct folio or struct slab), memdesc "
                        + "(one word: type in bits 0-3, a descriptor pointer or inline order above; folios, slabs, page tables, page_pool and zsmalloc pages get their descriptors from slab caches), memdesc2 (that word plus the "
                        + "allocation's order); choose one with sim --profile NAME or a lesson's machine: profile",
                        "  the same statements run in every profile; struct page pointers stay 64 bytes apart in the lab's vmemmap "
                        + "and a descriptor keeps the offsets of the 6.18 overlay it replaces (struct folio: its first 160 bytes; "
                        + "struct slab and struct ptdesc 64, struct zpdesc 56, struct netmem_desc 48; the memdesc layouts are not "
                        + "settled): *(int *)((p->memdesc & ~0xf) + 52) is a folio's _refcount; memdesc_cost() and compare_profiles print the cost");
                case "for" -> List.of("for (init; test; step) body: C's loop, e.g. for (i = 0; i < 16; i += 2) __free_pages(pfn_to_page(i), 0)",
                        "  init is an assignment or a declaration (int i = 0 lives only in the loop); step may be i++, i--, ++i,",
                        "  --i or an assignment; body is one statement, a nested for, or { s1; s2 }. Bare expressions in the body",
                        "  print their value each time round. The whole loop is type-checked before it runs and is one statement:",
                        "  if any iteration fails, or it would run more than " + Evaluator.MAX_LOOP_STEPS
                                + " iterations, nothing changes. No break, continue,",
                        "  while or arrays.");
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
