package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/**
 * Every owner the machine knows (page tables, anonymous and file folios, vmalloc, page_pool, the balloon,
 * slabs, zsmalloc) can be dumped under every kernel profile: the profiles' encodings must cover owners
 * that arrived after them (a memdesc dump of a page table once failed with an internal error).
 */
class ProfileOwnersTest {

    @ParameterizedTest
    @ValueSource(strings = {"6.18", "5.15", "memdesc", "memdesc2"})
    void everyOwnerDumpsUnderEveryProfile(String profile) {
        Console c = new Console(new Machine(MachineConfig.defaults().withProfile(profile)));
        for (String s : List.of(
                "mm = mm_alloc()",
                "a = lab_mmap(mm, 0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)",
                "handle_mm_fault(find_vma(mm, a), a, FAULT_FLAG_WRITE)",
                "v = vmalloc(8192)",
                "pp = page_pool_create()",
                "q = page_pool_dev_alloc_pages(pp)",
                "b = balloon_page_alloc()",
                "balloon_page_enqueue(b)",
                "k = kmalloc(64, GFP_KERNEL)",
                "pool = zs_create_pool(\"z\")",
                "h = zs_malloc(pool, 100, GFP_KERNEL, NUMA_NO_NODE)")) {
            ExecResult r = c.exec(s);
            assertTrue(r.ok(), profile + ": " + s + " -> " + r.output());
        }
        ExecResult dump = c.exec("for (i = 0; i < 64; i++) dump_page(pfn_to_page(i), \"walk\")");
        assertTrue(dump.ok(), profile + ": " + dump.output());
        String text = String.join("\n", dump.output());
        assertTrue(text.contains("page dumped because: walk"), text);
        assertTrue(!text.contains("internal error"), profile + ":\n" + text);
    }
}
