package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/** zsmalloc from the console: values, C type errors, refused calls that change nothing, help, the debugfs file. */
class ZsConsoleTest {
    /** A pool with handles h (live), g (freed), a huge object big, a destroyed pool gone, a page p. */
    private static Console prepared() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        for (String s : List.of("pool = zs_create_pool(\"zram0\")", "h = zs_malloc(pool, 100, GFP_KERNEL, 0)",
                "g = zs_malloc(pool, 100, GFP_KERNEL, 0)", "big = zs_malloc(pool, 4000, GFP_KERNEL, -1)", "zs_free(pool, g)",
                "gone = zs_create_pool(\"gone\")", "zs_destroy_pool(gone)", "p = alloc_pages(GFP_KERNEL, 0)")) {
            ExecResult r = c.exec(s);
            assertTrue(r.ok(), s + " -> " + r.output());
        }
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "zs_free(pool, g)",                             // double free
        "zs_free(pool, h + 8)",
        "zs_free(pool, 12345)",
        "zs_free(pool, p)",                             // C type errors
        "zs_free(p, h)",
        "zs_malloc(pool, 100, GFP_KERNEL)",
        "zs_malloc((struct zs_pool *)p, 100, GFP_KERNEL, 0)",
        "zs_malloc(gone, 100, GFP_KERNEL, 0)",          // use after destroy
        "zs_malloc(pool, 100, GFP_KERNEL, 1)",          // no node 1
        "zs_destroy_pool(pool)",                        // objects remain
        "zs_create_pool(\"zram0\")",                    // name taken
        "zs_obj_write(pool, h, NULL, 105)",
        "zs_compact(NULL)",
        "get_zspage(page_zpdesc(p))",
        "*(unsigned long *)(page_address(virt_to_page(handle_to_obj(h) >> 24 << 12)) + 8)",
    })
    void aRefusedZsmallocCallChangesNothing(String statement) {
        ExecResult r = RefusedStatements.assertRefusedUnchanged(prepared(), statement, List.of("error:", "BUG:"));
        assertFalse(r.ok(), statement + " -> " + r.output());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "zs_free(pool, p) | error: incompatible pointer to integer conversion passing 'struct page *' to parameter of type 'unsigned long'",
        "zs_free(p, h) | error: incompatible pointer types passing 'struct page *' to parameter of type 'struct zs_pool *'",
        "zs_malloc(pool, 100, GFP_KERNEL) | error: too few arguments to function call, expected 4, have 3",
        "zpdesc_page(p) | error: incompatible pointer types passing 'struct page *' to parameter of type 'struct zpdesc *'",
    })
    void typeErrorsReadLikeACompilers(String statement, String message) {
        ExecResult r = prepared().exec(statement);
        assertFalse(r.ok());
        assertEquals(message, r.output().get(0));
    }

    @Test
    void valuesThroughTheDescriptors() {
        Console c = prepared();
        for (String[] e : new String[][] {
            {"zs_get_total_pages(pool)", "8"},
            {"zs_huge_class_size(pool)", "3625"},
            {"zs_lookup_class_index(pool, 1008)", "62"},
            {"handle_to_obj(h) >> 24", "2"},
            {"get_zspage(obj_to_zpdesc(handle_to_obj(h)))->inuse", "1"},
            {"get_zspage(obj_to_zpdesc(handle_to_obj(h)))->freeobj", "1"},
            {"*(unsigned long *)(page_address(pfn_to_page(2)) + 112)", "4"},
            {"get_zspage(obj_to_zpdesc(handle_to_obj(big)))->huge", "1"},
            {"get_zspage(obj_to_zpdesc(handle_to_obj(big)))->fullness", "11"},
            {"obj_to_zpdesc(handle_to_obj(big))->handle == (big | 1)", "1"},
            {"zs_obj_read_begin(pool, h, NULL) == page_address(pfn_to_page(2)) + 8", "1"},
            {"zs_obj_read_begin(pool, big, NULL) == page_address(zpdesc_page(obj_to_zpdesc(handle_to_obj(big))))", "1"},
            {"sizeof(struct zpdesc)", "56"},
            {"NUMA_NO_NODE", "-1"},
            {"zs_malloc(pool, 0, GFP_KERNEL, NUMA_NO_NODE) == (unsigned long)-22", "1"},
            {"sizeof(struct zspage)", "56"},
            {"offsetof(struct zpdesc, zspage)", "40"},
        }) {
            ExecResult r = c.exec(e[0]);
            assertEquals(List.of(e[1]), r.output(), e[0]);
        }
    }

    @Test
    void compactionScriptPrintsExactlyWhatTheKernelsAlgorithmGives() throws Exception {
        SimScript s = SimScript.load("zs-compaction.sim");
        Console live = s.runAndCheck();
        Console replayed = Console.replay(s.config(), s.steps().stream().map(SimScript.Step::statement).toList());
        assertEquals(live.machine().digest(), replayed.machine().digest());
    }

    @Test
    void theDebugfsClassesFileAndHelp() {
        Console c = prepared();
        List<String> out = c.exec("cat /sys/kernel/debug/zsmalloc/zram0/classes").output();
        assertTrue(out.get(0).startsWith(" class  size       10%"), out.get(0));
        assertTrue(out.stream().anyMatch(l -> l.startsWith("   254  4096 ")), "the huge class row");
        assertFalse(c.exec("cat /sys/kernel/debug/zsmalloc/gone/classes").ok(), "a destroyed pool has no directory");
        String help = String.join("\n", c.exec("help").output());
        assertTrue(help.contains("zsmalloc:\n  zs_create_pool  zs_destroy_pool  zs_malloc  zs_free"), help);
        String zm = String.join("\n", c.exec("help zs_malloc").output());
        assertTrue(zm.startsWith("unsigned long zs_malloc(struct zs_pool *pool, size_t size, gfp_t flags, int nid)"), zm);
        assertTrue(zm.contains("zs_handle-NAME"), zm);
    }
}
