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

/** The slab functions from the console: values, C type errors, refused calls that change nothing, help. */
class SlabConsoleTest {
    /** A cache foo with objects o0 (freed) and o1, a kmalloc object k, a large kmalloc big, a page p and a folio f. */
    private static Console prepared() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        for (String s : List.of("s = kmem_cache_create(\"foo\", 700, 0, 0, NULL)", "o0 = kmem_cache_alloc(s, GFP_KERNEL)",
                "o1 = kmem_cache_alloc(s, GFP_KERNEL)", "kmem_cache_free(s, o0)", "k = kmalloc(64, GFP_KERNEL)",
                "big = kmalloc(20000, GFP_KERNEL)", "p = alloc_pages(GFP_KERNEL, 0)", "f = folio_alloc(GFP_KERNEL, 1)",
                "sl = virt_to_slab(o1)", "gone = kmem_cache_create(\"gone\", 64, 0, 0, NULL)", "kmem_cache_destroy(gone)")) {
            ExecResult r = c.exec(s);
            assertTrue(r.ok(), s + " -> " + r.output());
        }
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "kmem_cache_free(s, o0)",                       // double free
        "kfree(o0)",
        "kmem_cache_free(s, o1 + 8)",                   // not an object
        "kfree(page_address(p))",                       // not slab, not large kmalloc
        "kmem_cache_free(s, page_address(p))",
        "kmem_cache_free(s, NULL)",
        "kmem_cache_free(f, o1)",                       // C type errors
        "kmem_cache_free((struct folio *)s, o1)",
        "folio_put(sl)",
        "folio_put(slab_folio(sl))",                    // refcount 0: freeing a frozen page
        "__free_pages(slab_page(sl), 2)",
        "kmem_cache_destroy(s)",                        // objects remain
        "kmem_cache_destroy(kmalloc_slab(64, GFP_KERNEL))",
        "kmem_cache_alloc(gone, GFP_KERNEL)",           // use after destroy
        "gone->size",
        "kmem_cache_alloc((struct kmem_cache *)p, GFP_KERNEL)",
        "kmem_cache_create(\"bad\", 0, 0, 0, NULL)",
        "kmem_cache_create(\"bad\", 64, 0, 0, 1)",
        "kmem_cache_create(\"bad\", 0, 0, SLAB_PANIC, NULL)",
        "kfree(0xffff888100000000)",
        "virt_to_slab(pfn_to_page(3))",
        "sl->no_such_member",
        "lab_cpu_slab(s, 4)",
        "*(void **)(o1 + 8)",                           // object contents are not simulated
        "kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL) + 1)",
    })
    void aRefusedSlabCallChangesNothing(String statement) {
        ExecResult r = RefusedStatements.assertRefusedUnchanged(prepared(), statement,
                List.of("error:", "BUG:", "WARNING:", "Kernel panic"));
        assertFalse(r.ok(), statement + " -> " + r.output());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kmem_cache_free(f, o1) | error: incompatible pointer types passing 'struct folio *' to parameter of type 'struct kmem_cache *'",
        "folio_put(sl) | error: incompatible pointer types passing 'struct slab *' to parameter of type 'struct folio *'",
        "kmem_cache_alloc(s) | error: too few arguments to function call, expected 2, have 1",
        "kmalloc(\"x\", GFP_KERNEL) | error: incompatible pointer to integer conversion passing 'char[2]' to parameter of type 'size_t'",
    })
    void typeErrorsReadLikeACompilers(String statement, String message) {
        ExecResult r = prepared().exec(statement);
        assertEquals(message, r.output().get(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "s->size | 704",
        "s->offset | 344",
        "s->object_size | 700",
        "s->min_partial | 5",
        "s->cpu_partial_slabs | 5",
        "s->refcount | 1",
        "s->node[0]->nr_partial | 0",
        "virt_to_slab(o1)->inuse | 23",
        "virt_to_slab(o1)->objects | 23",
        "virt_to_slab(o1)->frozen | 1",
        "virt_to_slab(o1) == sl | 1",
        "virt_to_slab(k)->slab_cache == kmalloc_slab(64, GFP_KERNEL) | 1",
        "virt_to_slab(k)->slab_cache->size | 64",
        "ksize(k) | 64",
        "ksize(big) | 32768",
        "ksize(NULL) | 0",
        "kmalloc(0, GFP_KERNEL) == ZERO_SIZE_PTR | 1",
        "virt_to_slab(big) | NULL",
        "virt_to_slab(page_address(p)) | NULL",
        "obj_to_index(s, sl, o1) | 1",
        "slab_address(sl) == o0 | 1",
        "folio_slab(slab_folio(sl)) == sl | 1",
        "page_slab(slab_page(sl)) == sl | 1",
        "folio_test_slab(slab_folio(sl)) | 1",
        "folio_test_slab(f) | 0",
        "PageSlab(slab_page(sl) + 1) | 1",
        "sizeof(struct slab) | 64",
        "sizeof(struct kmem_cache) | 8416",
        "offsetof(struct slab, freelist) | 32",
        "SLAB_HWCACHE_ALIGN | 0x10",
        "SLAB_TYPESAFE_BY_RCU | 0x200",
        "SLAB_PANIC | 0x100",
        "SLAB_ACCOUNT | 0x2000",
        "lab_cpu_slab(s, 0)->freelist == o0 | 1",
        "lab_cpu_slab(s, 1)->slab | NULL",
        "*(void **)(o0 + 344) == o0 + 2 * 704 | 1",
        "kfree(NULL) + 0 | error: invalid operand to '+' of type 'void'",
    })
    void slabExpressionsEvaluate(String statement, String expected) {
        ExecResult r = prepared().exec(statement);
        assertEquals(expected, String.join("\n", r.output()), statement);
    }

    @Test
    void helpListsTheSlabGroupAndDescribesEachFunction() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        List<String> help = c.exec("help").output();
        int at = help.indexOf("Slab allocator:");
        assertTrue(at > 0, help.toString());
        assertTrue(help.get(at + 1).contains("kmem_cache_create"), help.get(at + 1));
        for (String fn : List.of("kmem_cache_create", "kmem_cache_alloc", "kmem_cache_free", "kmem_cache_destroy", "kmalloc",
                "kfree", "ksize", "virt_to_slab", "slab_address", "obj_to_index", "lab_kmem_cache")) {
            List<String> h = c.exec("help " + fn).output();
            assertTrue(h.get(0).contains(fn + "("), fn + ": " + h);
        }
        assertTrue(c.exec("help kmem_cache_alloc").output().stream().anyMatch(l -> l.contains("per-CPU partial")));
        assertTrue(c.exec("cat /proc/slabinfo").ok());
    }

    @Test
    void putPageOfASlabPageDoesNothingAndGetPageWarnsOnce() {
        Console c = prepared();
        long before = c.machine().digest();
        ExecResult r = c.exec("put_page(slab_page(sl))");
        assertTrue(r.ok());
        assertEquals(before, c.machine().digest());
        r = c.exec("get_page(slab_page(sl))");
        assertTrue(r.ok());
        assertTrue(r.output().get(0).startsWith("WARNING: CPU: 0 PID: 1 at include/linux/mm.h get_page"), r.output().toString());
        assertTrue(c.exec("get_page(slab_page(sl))").output().isEmpty());
        assertEquals(List.of("0"), c.exec("page_ref_count(slab_page(sl))").output());
    }

    @Test
    void aWrongCacheWarnsAndFreesIntoTheObjectsOwnCache() {
        Console c = prepared();
        ExecResult r = c.exec("kmem_cache_free(kmalloc_slab(64, GFP_KERNEL), o1)");
        assertTrue(r.ok(), r.output().toString());
        assertEquals("kmem_cache_free: Wrong slab cache. kmalloc-64 but object is from foo", r.output().get(1));
        assertTrue(c.exec("kmem_cache_destroy(s)").ok());
        assertTrue(c.machine().checkConsistency().isEmpty());
    }
}
