package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/** Parsing, typing, value formats and the C compiler's messages of the console language. */
class LanguageTest {
    private Console c;

    @BeforeEach
    void boot() { c = new Console(new Machine(MachineConfig.defaults())); }

    private List<String> run(String s) { return c.exec(s).output(); }

    private String one(String s) {
        ExecResult r = c.exec(s);
        assertEquals(1, r.output().size(), s + " printed " + r.output());
        return r.output().get(0);
    }

    private void assertError(String statement, String message) {
        ExecResult r = c.exec(statement);
        assertFalse(r.ok(), statement);
        assertEquals(List.of("error: " + message), r.output(), statement);
    }

    // ---------------------------------------------------------------- statements

    @Test
    void blankLinesCommentsAndAssignmentsPrintNothing() {
        assertEquals(List.of(), run(""));
        assertEquals(List.of(), run("   "));
        assertEquals(List.of(), run("// just a comment"));
        assertEquals(List.of(), run("p = alloc_pages(GFP_KERNEL, 0)"));
        assertEquals(List.of(), run("struct page *q = pfn_to_page(3);"));
        assertEquals(List.of(), run("unsigned long a = page_to_pfn(q);"));
        assertEquals("3", one("a"));
        assertEquals("0", one("page_to_pfn(p); // trailing comment"));
    }

    @Test
    void theDesignDocumentsExampleSessionWorks() {
        run("p = alloc_pages(GFP_KERNEL, 2)");
        assertEquals("0", one("page_to_pfn(p)"));
        run("f = folio_alloc(GFP_KERNEL, 2)");
        run("t = folio_page(f, 3)");
        assertEquals("1", one("compound_head(t) == folio_page(f, 0)"));
        ExecResult r = c.exec("t->mapping");
        assertEquals(List.of("0xdead000000000400"), r.output());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("TAIL_MAPPING")), r.notes().toString());
        assertError("folio_put(t)", "incompatible pointer types passing 'struct page *' to parameter of type 'struct folio *'");
        assertTrue(c.exec("folio_put(page_folio(t))").ok());
        assertEquals(List.of("Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      0 ")
                .size(), run("cat /proc/buddyinfo").size());
    }

    @Test
    void overlongStatementsAreRefused() {
        String s = "1 + " + "1 + ".repeat(1100) + "1";
        ExecResult r = c.exec(s);
        assertFalse(r.ok());
        assertTrue(r.output().get(0).startsWith("error: statement too long ("), r.output().get(0));
        assertEquals("2", one("1 + " + " ".repeat(4000) + "1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "x = | expected expression",
        "(1 + | expected expression",
        "1 + 2) | expected ';' at end of statement, found ')'",
        "foo bar | expected ';' at end of statement, found 'bar'",
        "a = 1; b = 2 | one statement per line: unexpected 'b' after ';'",
        "q | use of undeclared identifier 'q'",
        "foo(1) | call to undeclared function 'foo'",
        "p->x = 1 | cannot assign to the field x: the console writes no kernel memory (struct page, struct slab, kmem_cache, ...); change it through the kernel's functions",
        "1 = 2 | expression is not assignable",
        "0x | invalid digit in hexadecimal constant '0x'",
        "\"abc | missing terminating '\"' character",
        "@ | unexpected character '@'",
        "GFP_KERNEL = 1 | cannot assign to 'GFP_KERNEL': it is a kernel constant",
        "p++ | the console has no '++'; write x = x + 1",
        "1 << 40 | shift count >= width of type",
        "1 / 0 | division by zero is undefined",
        "sizeof(struct inode) | invalid application of 'sizeof' to an incomplete type 'struct inode'",
    })
    void badInputGetsACompilerStyleError(String statement, String message) {
        assertError(statement.strip(), message.strip());
    }

    // ---------------------------------------------------------------- values and formats

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "sizeof(struct page) => 64",
        "sizeof(struct folio) => 256",
        "offsetof(struct folio, _nr_pages) => 120",
        "offsetof(struct folio, _deferred_list.prev) => 152",
        "offsetof(struct page, _refcount) => 52",
        "sizeof(int) => 4",
        "sizeof(unsigned long) => 8",
        "sizeof(pfn_to_page(0)) => 8",
        "-5 => -5",
        "-5 / 2 => -2",
        "-5 % 3 => -2",
        "5u - 6 => 4294967295",
        "5ul - 6 => 18446744073709551615",
        "(int)-5 => -5",
        "0xffffffff => 4294967295",
        "0x10 + 010 + 1 => 25",
        "1 << 3 => 8",
        "1UL << 40 => 1099511627776",
        "~0 => -1",
        "7 > 3 && 2 < 1 => 0",
        "7 > 3 || PageHead(NULL) => 1",
        "!NULL => 1",
        "1 ? 2 : 3 => 2",
        "6 ^ 3 => 5",
        "6 & 3 => 2",
        "6 | 3 => 7",
        "NULL => NULL",
        "(struct page *)0 => NULL",
        "(struct page *)0x1000 => 0x0000000000001000",
        "pfn_to_page(5) => 0xffffea0000000140",
        "vmemmap + 5 => 0xffffea0000000140",
        "pfn_to_page(5) + 1 => 0xffffea0000000180",
        "pfn_to_page(5) - 1 => 0xffffea0000000100",
        "pfn_to_page(9) - pfn_to_page(5) => 4",
        "pfn_to_page(5) == pfn_to_page(5) => 1",
        "pfn_to_page(5) != pfn_to_page(5) => 0",
        "pfn_to_page(5) < pfn_to_page(6) => 1",
        "(unsigned long)pfn_to_page(1) => 18446719884453740608",
        "(struct folio *)pfn_to_page(1) + 1 => 0xffffea0000000140",
        "page_address(pfn_to_page(5)) => 0xffff888000005000",
        "page_to_phys(pfn_to_page(5)) => 20480",
        "__va(4096) => 0xffff888000001000",
        "__pa(0xffff888000005000) => 20480",
        "page_to_pfn(virt_to_page(0xffff888000005000)) => 5",
        "page_to_pfn(virt_to_page(page_address(pfn_to_page(7)))) => 7",
        "GFP_KERNEL => 0xcc0(GFP_KERNEL)",
        "GFP_KERNEL | __GFP_COMP => 0x40cc0(GFP_KERNEL|__GFP_COMP)",
        "GFP_NOIO => 0xc00(GFP_NOIO)",
        "get_order(10000) => 2",
        "get_order(4096) => 0",
        "get_order(4097) => 1",
        "get_order(16385) => 3",
        "__find_buddy_pfn(12, 2) => 8",
        "PAGE_SIZE => 4096",
        "MAX_PAGE_ORDER => 10",
        "\"hello\" => \"hello\"",
        "smp_processor_id() => 0",
    })
    void expressionsPrintAsTheContractSays(String statement, String expected) {
        assertEquals(expected.strip(), one(statement.strip()));
    }

    @Test
    void fieldsReadTheRawBytesThroughTheLayout() {
        run("f = folio_alloc(GFP_KERNEL, 2)");
        run("t = folio_page(f, 1)");
        assertEquals("0x17ffffc0000040", one("f->flags"));
        assertEquals("0x17ffffc0000040", one("f->flags.f"));
        assertEquals("1", one("f->_refcount"));
        assertEquals("1", one("f->_refcount.counter"));
        assertEquals("-1", one("f->_mapcount"));
        assertEquals("4294967295", one("f->page_type".replace("f->", "((struct page *)f)->")));
        assertEquals("0xffffea0000000001", one("t->lru.next"));
        assertEquals("18446719884453740545", one("t->compound_head"));
        assertEquals("0x00000000ffffffff", one("t->mapping"));
        assertEquals("0x17ffffc0000202", one("((struct folio *)f)->_flags_1"));
        // a tail cast to a folio reads the bytes of pages 2..4 of the old folio: page 2's flags as _flags_1
        assertEquals("0x17ffffc0000000", one("((struct folio *)t)->_flags_1"));
        ExecResult cast = c.exec("((struct folio *)t)->_flags_1");
        assertTrue(cast.notes().stream().anyMatch(n -> n.contains("tail page")), cast.notes().toString());
        ExecResult tailAsFolio = c.exec("folio_order((struct folio *)t)");
        assertEquals(List.of("0"), tailAsFolio.output());
        assertTrue(tailAsFolio.notes().stream().anyMatch(n -> n.contains("really a tail page")), tailAsFolio.notes().toString());
        assertTrue(c.exec("folio_order(page_folio(t))").notes().stream().noneMatch(n -> n.contains("really a tail page")));
        assertEquals("{0xffffea0000000001, 0x00000000ffffffff}", one("t->lru"));
        assertEquals("{0xffffffffffffffff}", one("f->_mm_id_mapcount"));
        assertEquals("-1", one("f->_mm_id_mapcount[1]"));
        assertEquals("1", one("f->_deferred_list.next == &f->_deferred_list"));
        assertEquals("0xffffea0000000048", one("&t->lru"));
        assertEquals("1", one("*(&f->_refcount)"));
        assertEquals("0", one("f->index"));
        assertEquals("0", one("t->__folio_index == 0xffffffffffffffff ? 0 : 1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "p->index | no member named 'index' in 'struct page'",
        "f->__folio_index | no member named '__folio_index' in 'struct folio'",
        "p->lru.foo | no member named 'foo' in 'struct list_head'",
        "p->_refcount.x | member reference base type 'atomic_t' is not a structure or union",
        "p.flags | member reference type 'struct page *' is a pointer; did you mean to use '->'?",
        "n->flags | member reference type 'unsigned long' is not a pointer",
        "((void *)p)->flags | member reference base type 'void' is not a structure or union",
        "p->flags = 0 | cannot assign to the field flags: the console writes no kernel memory (struct page, struct slab, kmem_cache, ...); change it through the kernel's functions",
        "s->name = \"bar\" | cannot assign to the field name: the console writes no kernel memory (struct page, struct slab, kmem_cache, ...); change it through the kernel's functions",
        "p->_refcount += 1 | cannot assign to the field _refcount: the console writes no kernel memory (struct page, struct slab, kmem_cache, ...); change it through the kernel's functions",
        "*p = 0 | cannot assign to memory through a pointer: the console writes no kernel memory (struct page, struct slab, kmem_cache, ...); change it through the kernel's functions",
        "*p | the console does not print a whole 'struct page': read a member (p->flags) or use dump_page()",
        "folio_put(p) | incompatible pointer types passing 'struct page *' to parameter of type 'struct folio *'",
        "get_page(5) | incompatible integer to pointer conversion passing 'int' to parameter of type 'struct page *'",
        "get_page(f) | incompatible pointer types passing 'struct folio *' to parameter of type 'struct page *'",
        "pfn_to_page(p) | incompatible pointer to integer conversion passing 'struct page *' to parameter of type 'unsigned long'",
        "page_to_pfn(n) | incompatible integer to pointer conversion passing 'unsigned long' to parameter of type 'const struct page *'",
        "dump_page(p, 5) | incompatible integer to pointer conversion passing 'int' to parameter of type 'const char *'",
        "dump_page(\"p\") | incompatible pointer types passing 'char[2]' to parameter of type 'const struct page *'",
        "alloc_pages(GFP_KERNEL) | too few arguments to function call, expected 2, have 1",
        "alloc_pages(GFP_KERNEL, 0, 1) | too many arguments to function call, expected 2, have 3",
        "dump_page() | too few arguments to function call, expected at least 1, have 0",
        "smp_processor_id(1) | too many arguments to function call, expected 0, have 1",
        "struct folio *g = p | incompatible pointer types initializing 'struct folio *' with an expression of type 'struct page *'",
        "struct page *g = 5 | incompatible integer to pointer conversion initializing 'struct page *' with an expression of type 'int'",
        "unsigned long u = p | incompatible pointer to integer conversion initializing 'unsigned long' with an expression of type 'struct page *'",
        "p - f | 'struct page *' and 'struct folio *' are not pointers to compatible types",
        "p * 2 | invalid operands to binary expression ('struct page *' and 'int')",
        "p == 5 | comparison between pointer and integer ('struct page *' and 'int')",
        "x = __free_page(p) | assigning to 'x' from incompatible type 'void'",
        "alloc_pages | 'alloc_pages' is a function: call it, struct page *alloc_pages(gfp_t gfp, unsigned int order)",
    })
    void typeErrorsUseTheCompilersWords(String statement, String message) {
        run("p = pfn_to_page(1)");
        run("f = page_folio(p)");
        run("n = page_to_pfn(p)");
        long before = c.machine().digest();
        assertError(statement.strip(), message.strip());
        assertEquals(before, c.machine().digest());
    }

    @Test
    void aTypeErrorAnywhereStopsTheStatementBeforeAnyCallRuns() {
        long before = c.machine().digest();
        assertError("page_to_pfn(alloc_pages(GFP_KERNEL, 0)) + folio_put(pfn_to_page(0))",
                "incompatible pointer types passing 'struct page *' to parameter of type 'struct folio *'");
        assertEquals(before, c.machine().digest());
        assertError("struct folio *g = alloc_pages(GFP_KERNEL, 0)",
                "incompatible pointer types initializing 'struct folio *' with an expression of type 'struct page *'");
        assertEquals(before, c.machine().digest());
    }

    @Test
    void aStatementWhoseSecondCallFailsChangesNothing() {
        run("p = alloc_pages(GFP_KERNEL, 0)");
        long before = c.machine().digest();
        // each of these type-checks, and its first call would succeed; a later step fails at run time,
        // so the whole statement is refused and the first call's effect is not kept
        ExecResult r = c.exec("page_to_pfn(alloc_pages(GFP_KERNEL, 0)) + page_ref_count(pfn_to_page(100))");
        assertFalse(r.ok());
        assertEquals("BUG: unable to handle page fault for address: ffffea0000001900", r.output().get(0));
        ExecResult r2 = c.exec("__free_pages(alloc_pages(GFP_KERNEL, 1), 1) == __free_pages(pfn_to_page(1), 0)");
        assertFalse(r2.ok());
        ExecResult r4 = c.exec("get_page(alloc_pages(GFP_KERNEL, 7))");
        assertFalse(r4.ok());
        assertTrue(r4.output().get(0).startsWith("BUG: kernel NULL pointer dereference"), r4.output().toString());
        ExecResult r3 = c.exec("q = alloc_pages(GFP_KERNEL, 0) + (1 / (page_to_pfn(p) - page_to_pfn(p)))");
        assertFalse(r3.ok(), r3.output().toString());
        assertEquals(before, c.machine().digest());
        assertEquals(List.of("error: use of undeclared identifier 'q'"), run("q"));
    }

    // ---------------------------------------------------------------- variables

    @Test
    void declaredVariablesKeepTheirTypeAndImplicitOnesTakeTheValuesType() {
        run("struct page *p = NULL;");
        assertEquals("NULL", one("p"));
        assertError("p = page_folio(pfn_to_page(0))",
                "incompatible pointer types assigning to 'struct page *' from 'struct folio *'");
        run("x = page_folio(pfn_to_page(0))");
        run("x = 5");
        assertEquals("5", one("x"));
        run("int i = 4000000000u;");
        assertEquals("-294967296", one("i"));
        assertEquals("-2", one("i / 2 / 73741824 - 0"));
    }

    // ---------------------------------------------------------------- kernel behaviour through the console

    @Test
    void orderElevenPrintsTheWarningAndReturnsNull() {
        long before = c.machine().digest();
        ExecResult r = c.exec("alloc_pages(GFP_KERNEL, 11)");
        assertTrue(r.output().get(0).startsWith("WARNING: "), r.output().toString());
        assertEquals("NULL", r.output().get(r.output().size() - 1));
        assertEquals(before, c.machine().digest());
    }

    @Test
    void eachStatementCarriesTheKernelsTrace() {
        ExecResult r = c.exec("p = alloc_pages(GFP_KERNEL, 0)");
        assertTrue(r.trace().stream().anyMatch(e -> e.function().equals("__rmqueue_smallest")), r.trace().toString());
        assertTrue(r.trace().stream().anyMatch(e -> e.function().equals("expand") && e.detail().contains("PFN 32")));
        assertEquals(List.of(), c.exec("page_to_pfn(p)").trace());
    }

    @Test
    void dumpPagePrintsTheKernelsLinesAndTheReason() {
        List<String> out = run("dump_page(pfn_to_page(0), \"look\")");
        assertEquals("page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x0", out.get(0));
        assertEquals("page_type: f0(buddy)", out.get(2));
        assertEquals("page dumped because: look", out.get(out.size() - 1));
        assertFalse(run("dump_page(pfn_to_page(0))").stream().anyMatch(l -> l.startsWith("page dumped because")));
    }

    @Test
    void pointersThatAreNotThisMachinesStructPagesGiveKernelStyleErrors() {
        List<String> out = run("PageBuddy(pfn_to_page(64))");
        assertEquals("BUG: unable to handle page fault for address: ffffea0000001000", out.get(0));
        assertEquals("64", one("page_to_pfn(pfn_to_page(64))"));
        assertTrue(one("PageBuddy((struct page *)0xffffea0000000001)").startsWith("error: PageBuddy(): 0xffffea0000000001 is not a struct page"));
        assertEquals("BUG: kernel NULL pointer dereference, address: 0000000000000000", run("PageHead(NULL)").get(0));
        assertEquals("BUG: kernel NULL pointer dereference, address: 0000000000000034", run("((struct page *)0)->_refcount").get(0));
        assertEquals("BUG: unable to handle page fault for address: 0000000000001000", run("((struct page *)0x1000)->flags").get(0));
        assertTrue(one("page_to_pfn((struct page *)0xffff888000000000)").startsWith("error: page_to_pfn(): 0xffff888000000000 is not a struct page address"));
    }

    @Test
    void freePagesOfZeroIsANoOpAndFreePagesTakesAnAddress() {
        long before = c.machine().digest();
        assertEquals(List.of(), run("free_pages(0, 3)"));
        assertEquals(before, c.machine().digest());
        List<String> lists = run("lab_free_lists()");
        run("a = __get_free_pages(GFP_KERNEL, 1)");
        assertEquals("18446612682070032384", one("a"));
        assertEquals("0", one("page_to_pfn(virt_to_page(a))"));
        assertEquals("2", one("page_ref_count(virt_to_page(a)) + PageBuddy(pfn_to_page(2))"));
        run("free_pages(a, 1)");
        assertEquals(lists, run("lab_free_lists()"));
    }

    @Test
    void setCpuMovesTheConsoleAndIsCheckedAgainstTheMachine() {
        run("set_cpu(2)");
        assertEquals("2", one("smp_processor_id()"));
        assertEquals("error: CPU 9 does not exist (this machine has CPUs 0 to 3)", one("set_cpu(9)"));
        assertEquals("2", one("smp_processor_id()"));
    }

    // ---------------------------------------------------------------- help and completion

    @Test
    void helpListsFunctionsByGroupAndDescribesOne() {
        List<String> all = run("help");
        assertTrue(all.contains("Allocating and freeing pages:"), all.toString());
        assertTrue(all.stream().anyMatch(l -> l.contains("folio_put")));
        List<String> one = run("help split_page");
        assertEquals("void split_page(struct page *page, unsigned int order)", one.get(0));
        assertTrue(one.stream().anyMatch(l -> l.contains("mm/page_alloc.c")), one.toString());
        assertEquals("void dump_page(const struct page *page, [const char *reason])", run("help dump_page").get(0));
        assertTrue(run("help set_cpu").stream().anyMatch(l -> l.startsWith("  lab: ")));
        assertTrue(run("help nothing_here").get(0).startsWith("error: no help for 'nothing_here'"));
    }

    @Test
    void functionNamesCoverTheRequiredTable() {
        List<String> names = c.functionNames();
        for (String n : List.of("alloc_pages", "alloc_page", "__get_free_pages", "__get_free_page", "get_zeroed_page",
                "__free_pages", "__free_page", "free_pages", "free_page", "get_page", "put_page", "page_ref_count",
                "page_count", "folio_ref_count", "folio_get", "folio_put", "folio_alloc", "split_page", "compound_head",
                "compound_order", "compound_nr", "PageHead", "PageTail", "PageCompound", "PageBuddy", "PageReserved",
                "page_folio", "folio_page", "folio_order", "folio_nr_pages", "folio_size", "folio_test_large",
                "folio_mapcount", "folio_pfn", "folio_address", "pfn_to_page", "page_to_pfn", "page_address",
                "virt_to_page", "page_to_phys", "virt_to_phys", "__pa", "__va", "get_order", "__find_buddy_pfn",
                "buddy_order", "dump_page", "smp_processor_id", "set_cpu", "drain_all_pages")) {
            assertTrue(names.contains(n), n);
        }
        assertTrue(c.completions().contains("GFP_KERNEL"));
    }

    @Test
    void unknownNamesSuggestTheNearestOneInTheNotes() {
        ExecResult r = c.exec("alloc_page(GFP_KERNL)");
        assertEquals(List.of("error: use of undeclared identifier 'GFP_KERNL'"), r.output());
        assertTrue(r.notes().contains("did you mean 'GFP_KERNEL'?"), r.notes().toString());
        assertTrue(c.exec("folio_putt(NULL)").notes().contains("did you mean 'folio_put'?"));
        assertTrue(c.exec("pfn_to_page(1)->index").notes().stream().anyMatch(n -> n.contains("__folio_index")));
    }

    @Test
    void garbageNeverEscapesAsAJavaException() {
        java.util.Random rnd = new java.util.Random(42);
        String alphabet = "abcpfx_0123456789()[]{}<>-=+*/%&|^~!?:;,.\"' \t\\#@$`p->";
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(40);
            for (int k = 0; k < len; k++) sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            ExecResult r = c.exec(sb.toString());
            for (String l : r.output()) assertFalse(l.startsWith("error: internal error"), sb + " -> " + l);
        }
        assertTrue(c.exec("((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))").ok());
        assertFalse(c.exec("(".repeat(2000) + "1" + ")".repeat(2000)).output().isEmpty());
    }
}
