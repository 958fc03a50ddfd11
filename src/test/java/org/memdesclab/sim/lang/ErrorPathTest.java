package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/**
 * Bad statements change nothing: the machine's digest is the same before and after, and the output
 * starts with error:, BUG: or WARNING:.
 */
class ErrorPathTest {
    /** A machine with some history: an order-0 page (p), an order-2 folio (f, tail t), a non-compound order-1 block (b). */
    private static Console prepared() {
        Console c = new Console(new Machine(MachineConfig.defaults()));
        for (String s : List.of("p = alloc_pages(GFP_KERNEL, 0)", "f = folio_alloc(GFP_KERNEL, 2)", "t = folio_page(f, 2)",
                "b = alloc_pages(GFP_KERNEL, 1)", "free = pfn_to_page(63)", "a = page_address(p)")) {
            assertTrue(c.exec(s).ok(), s);
        }
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "__free_pages(free, 0)",                 // freeing a free page
        "__free_pages(pfn_to_page(32), 5)",      // freeing a free block
        "put_page(free)",
        "__free_pages(&f->page, 1)",             // wrong order for a compound page
        "__free_pages(t, 0)",                    // a tail page
        "__free_pages(p, 11)",                   // order 11
        "alloc_pages(GFP_KERNEL, 11)",           // WARNs, returns NULL
        "folio_put(t)",                          // a page where a folio is expected
        "folio_put((struct folio *)t)",          // a tail cast to a folio
        "folio_get((struct folio *)free)",
        "folio_put(page_folio(free))",
        "split_page(&f->page, 2)",               // compound
        "split_page(free, 0)",                   // nobody holds it
        "get_page(free)",
        "frobnicate(p)",                         // unknown names
        "q->flags",
        "p->index",
        "__free_pages(pfn_to_page(64), 0)",      // out-of-range PFNs
        "put_page(pfn_to_page(100000))",
        "dump_page(pfn_to_page(-1))",
        "PageBuddy(pfn_to_page(64))",
        "free_pages(0xffff888000400000, 0)",     // PFN 1024: outside the machine
        "free_pages(12345, 0)",
        "__free_pages((struct page *)0xffffea0000000008, 0)",
        "__free_pages(NULL, 0)",
        "set_cpu(4)",
        "set_cpu(-1)",
        "p->_refcount = 5",
        "cat /proc/nonexistent",
        "help no_such_thing",
        "$%^&",
        "alloc_pages(GFP_KERNEL, 0",
        "struct page *",
        "}{",
        "p = ",
        "((((",
        "page_to_pfn(alloc_pages(GFP_KERNEL, 0)) / 0",
        "page_to_pfn(alloc_pages(GFP_KERNEL, 0)) + page_ref_count(pfn_to_page(99))",
    })
    void aBadStatementLeavesTheMachineExactlyAsItWas(String statement) {
        RefusedStatements.assertRefusedUnchanged(prepared(), statement, List.of("error:", "BUG:", "WARNING:"));
    }

    @ParameterizedTest
    @ValueSource(ints = {4097, 5000, 100000})
    void aTooLongStatementIsRefusedWithItsSize(int bytes) {
        Console c = prepared();
        long before = c.machine().digest();
        String s = "p = alloc_pages(GFP_KERNEL, 0) // " + "x".repeat(bytes);
        ExecResult r = c.exec(s);
        assertFalse(r.ok());
        assertTrue(r.output().get(0).startsWith("error: statement too long"), r.output().toString());
        assertEquals(before, c.machine().digest());
    }
}
