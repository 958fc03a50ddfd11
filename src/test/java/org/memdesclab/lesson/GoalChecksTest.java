package org.memdesclab.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.lang.Console;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Each built-in goal check, met and not met, with the learner-facing reason; and load-time validation. */
class GoalChecksTest {
    private final GoalChecks checks = GoalChecks.standard();
    private Console console = new Console(new org.memdesclab.sim.Machine(MachineConfig.defaults()));
    private final List<GoalContext.RanStatement> history = new ArrayList<>();

    private void run(String... statements) {
        for (String s : statements) history.add(LessonMachines.ran(s, console.exec(s)));
    }

    /** A goal written as lesson YAML, e.g. "free_blocks: {order: 3}". */
    private GoalSpec goal(String yaml) { return checks.parse(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml)); }

    private GoalResult eval(String yaml) { return checks.evaluate(goal(yaml), new GoalContext(console.machine(), history)); }

    private void assertMet(String yaml) {
        GoalResult r = eval(yaml);
        assertTrue(r.met(), yaml + " should be met, but: " + r.reason());
        assertEquals("", r.reason());
    }

    private void assertUnmet(String yaml, String reason) { assertEquals(GoalResult.notMet(reason), eval(yaml)); }

    @Test
    void ranCountsOnlySuccessfulCallsOfThatFunction() {
        assertUnmet("ran: {function: page_to_pfn}", "You have not run page_to_pfn() successfully yet.");
        run("page_to_pfn(NULL", "x = __page_to_pfn_lookalike");
        assertUnmet("ran: {function: page_to_pfn}", "You have not run page_to_pfn() successfully yet.");
        run("page_to_pfn(pfn_to_page(3))");
        assertMet("ran: {function: page_to_pfn}");
        assertUnmet("ran: {function: page_to_pfn, min_times: 2}", "You have run page_to_pfn() once; this step wants twice.");
        assertUnmet("ran: {function: to_pfn}", "You have not run to_pfn() successfully yet.");
    }

    @Test
    void ranWithAPatternMatchesTheWholeStatement() {
        assertUnmet("ran: {pattern: 'cat\\s+/proc/buddyinfo'}", "You have not run the statement this step asks for successfully yet.");
        run("cat   /proc/buddyinfo");
        assertMet("ran: {pattern: 'cat\\s+/proc/buddyinfo'}");
    }

    @Test
    void printedLooksAtTheOutputOfSuccessfulStatements() {
        assertUnmet("printed: {pattern: '^0xffffea0000000280$'}", "None of your statements has printed what this step is looking for yet.");
        run("pfn_to_page(10)");
        assertMet("printed: {pattern: '^0xffffea0000000280$'}");
    }

    @Test
    void freeBlocksReadsNrFree() {
        assertUnmet("free_blocks: {order: 3}", "No free block of order 3 yet: buddyinfo shows 0 under order 3.");
        assertMet("free_blocks: {order: 6, count: 1}");
        run("p = alloc_pages(GFP_KERNEL, 0)");
        assertMet("free_blocks: {order: 3}");
        assertUnmet("free_blocks: {order: 3, min: 2}",
                "Not enough free blocks of order 3 yet: buddyinfo shows 1 under order 3, and this step wants at least 2.");
        assertUnmet("free_blocks: {order: 0, count: 0}", "This step wants exactly 0 free blocks of order 0, but buddyinfo shows 1 under order 0.");
        assertUnmet("free_blocks: {order: 0, max: 0}", "Too many free blocks of order 0: buddyinfo shows 1 under order 0, and this step wants at most 0.");
    }

    @Test
    void buddyinfoComparesAllElevenCountsAndPadsWithZeros() {
        assertMet("buddyinfo: {counts: [0, 0, 0, 0, 0, 0, 1]}");
        run("p = alloc_pages(GFP_KERNEL, 0)");
        assertUnmet("buddyinfo: {counts: [0, 0, 0, 0, 0, 0, 1]}",
                "buddyinfo shows 1 1 1 1 1 1 0 0 0 0 0; this step wants 0 0 0 0 0 0 1 0 0 0 0.");
        assertMet("buddyinfo: {counts: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]}");
    }

    @Test
    void pageOwnerNamesWhatThePfnIs() {
        assertMet("page_owner: {pfn: 0, owner: FREE_HEAD}");
        assertUnmet("page_owner: {pfn: 5, owner: PAGE}", "PFN 5 is a free page inside a larger free block (.), not an allocated page (P).");
        run("f = folio_alloc(GFP_KERNEL, 2)");
        assertMet("page_owner: {pfn: 0, owner: head}");
        assertMet("page_owner: {pfn: 2, owner: [PAGE, TAIL]}");
        assertUnmet("page_owner: {pfn: 99, owner: PAGE}", "This goal looks at PFN 99, but this machine only has PFNs 0 to 63.");
    }

    @Test
    void allocatedPagesCountsPagesNotFreeAndNotReserved() {
        assertUnmet("allocated_pages: {min: 1}", "No pages are allocated; this step wants at least 1 page.");
        run("p = alloc_pages(GFP_KERNEL, 2)");
        assertMet("allocated_pages: {min: 4}");
        assertUnmet("allocated_pages: {min: 5}", "Only 4 pages are allocated; this step wants at least 5 pages.");
        assertUnmet("allocated_pages: {max: 2}", "4 pages are allocated; this step wants at most 2 pages.");
    }

    @Test
    void folioExistsWantsAnAllocatedFolioOfTheOrder() {
        assertUnmet("folio_exists: {min_order: 2}", "No folio of order 2 or more exists yet: the memmap has no head page (H) of such a folio.");
        assertUnmet("folio_exists: {}", "No page or folio is allocated yet.");
        run("p = alloc_pages(GFP_KERNEL, 2)");
        assertMet("folio_exists: {}");
        assertUnmet("folio_exists: {min_order: 2}", "No folio of order 2 or more exists yet: the memmap has no head page (H) of such a folio.");
        run("f = folio_alloc(GFP_KERNEL, 3)");
        assertMet("folio_exists: {min_order: 2}");
    }

    @Test
    void allFreeMeansBackToTheBootState() {
        assertMet("all_free");
        run("p = alloc_pages(GFP_KERNEL, 0)", "q = alloc_pages(GFP_KERNEL, 0)");
        assertUnmet("all_free", "2 pages are still allocated (starting at PFN 0, PFN 1).");
        run("__free_pages(p, 0)", "__free_pages(q, 0)");
        assertMet("all_free");
    }

    @Test
    void allFreeWantsPerCpuListsDrained() {
        console = new Console(new org.memdesclab.sim.Machine(MachineConfig.defaults().withPcp(4, 32)));
        run("p = alloc_pages(GFP_KERNEL, 0)", "__free_pages(p, 0)");
        assertUnmet("all_free", "Every page is free, but 4 pages still sit on per-CPU lists, where they cannot merge with their buddies.");
        run("drain_all_pages()");
        assertMet("all_free");
    }

    @Test
    void allFreeKnowsReservedPagesAreNotAllocated() {
        console = new Console(new org.memdesclab.sim.Machine(MachineConfig.defaults().withReserved(List.of(0L, 1L))));
        assertMet("all_free");
        assertMet("allocated_pages: {max: 0}");
    }

    @Test
    void refcountReadsTheHeadsCount() {
        run("p = alloc_pages(GFP_KERNEL, 0)");
        assertMet("refcount: {pfn: 0, value: 1}");
        assertUnmet("refcount: {pfn: 0, value: 2}", "PFN 0 has refcount 1; this step wants 2.");
        run("get_page(p)");
        assertMet("refcount: {pfn: 0, min: 2}");
        assertUnmet("refcount: {pfn: 1, min: 1}", "PFN 1 has refcount 0; this step wants at least 1.");
    }

    @Test
    void pageFlagTestsOneFlagByName() {
        run("f = folio_alloc(GFP_KERNEL, 2)");
        assertMet("page_flag: {pfn: 0, flag: PG_head}");
        assertMet("page_flag: {pfn: 0, flag: head}");
        assertUnmet("page_flag: {pfn: 1, flag: PG_head}", "PFN 1 does not have PG_head set yet.");
        assertUnmet("page_flag: {pfn: 0, flag: PG_head, set: false}", "PFN 0 still has PG_head set.");
    }

    @Test
    void pageTypeReadsTheTopByte() {
        assertMet("page_type: {pfn: 0, type: buddy}");
        assertMet("page_type: {pfn: 1, type: none}");
        run("p = alloc_pages(GFP_KERNEL, 0)");
        assertUnmet("page_type: {pfn: 0, type: buddy}", "PFN 0 has no page type (page_type 0xffffffff); this step wants type buddy.");
        assertUnmet("page_type: {pfn: 1, type: none}", "PFN 1 has page type buddy (page_type 0xf0000000); this step wants no type.");
    }

    @Test
    void freeListComparesHeadToTail() {
        run("x = alloc_pages(GFP_KERNEL, 0)", "y = alloc_pages(GFP_KERNEL, 0)", "z = alloc_pages(GFP_KERNEL, 1)",
                "w = alloc_pages(GFP_KERNEL, 0)", "__free_pages(z, 1)", "__free_pages(y, 0)");
        assertMet("free_list: {order: 0, pfns: [5, 1]}");
        assertUnmet("free_list: {order: 0, pfns: [1, 5]}", "free_area[0] holds PFNs 5, 1 from head to tail; this step wants PFNs 1, 5.");
        assertMet("free_list: {order: 2, pfns: []}");
        assertUnmet("free_list: {order: 2, pfns: [4]}", "free_area[2] holds no blocks from head to tail; this step wants PFN 4.");
    }

    @Test
    void allOfGivesTheFirstUnmetReason() {
        assertUnmet("all_of: [{ran: {function: dump_page}}, {free_blocks: {order: 3}}]", "You have not run dump_page() successfully yet.");
        run("dump_page(pfn_to_page(0))");
        assertUnmet("all_of: [{ran: {function: dump_page}}, {free_blocks: {order: 3}}]",
                "No free block of order 3 yet: buddyinfo shows 0 under order 3.");
        run("p = alloc_pages(GFP_KERNEL, 0)");
        assertMet("{check: all_of, goals: [{ran: {function: dump_page}}, {check: free_blocks, order: 3}]}");
    }

    @Test
    void anyOfIsMetByOneAndOtherwiseGivesTheFirstReason() {
        assertUnmet("any_of: [{free_blocks: {order: 3}}, {ran: {function: dump_page}}]", "No free block of order 3 yet: buddyinfo shows 0 under order 3.");
        run("dump_page(pfn_to_page(0))");
        assertMet("any_of: [{free_blocks: {order: 3}}, {ran: {function: dump_page}}]");
    }

    @Test
    void notInvertsAndUsesTheAuthorsReason() {
        assertUnmet("{not: {free_blocks: {order: 6}}, reason: Break up the order-6 block.}", "Break up the order-6 block.");
        run("p = alloc_pages(GFP_KERNEL, 0)");
        assertMet("not: {free_blocks: {order: 6}}");
    }

    @Test
    void aReasonReplacesTheChecksOwnWhenUnmet() {
        assertUnmet("{check: free_blocks, order: 3, reason: Allocate one page to split the big block.}", "Allocate one page to split the big block.");
        assertUnmet("{free_blocks: {order: 3}, reason: Split it.}", "Split it.");
    }

    @Test
    void theThreeGoalFormsMeanTheSame() {
        assertEquals(goal("{check: free_blocks, order: 3}"), goal("free_blocks: {order: 3}"));
        assertEquals(new GoalSpec("all_free", Map.of()), goal("all_free"));
    }

    @Test
    void badGoalsAreRefusedWithAnAuthorFacingMessage() {
        assertEquals("unknown goal check \"free_block\"; known checks are all_free, all_of, allocated_pages, any_of, buddyinfo, folio_exists, "
                + "free_blocks, free_list, not, page_flag, page_owner, page_type, printed, ran, refcount", parseError("free_block: {order: 3}"));
        assertEquals("check \"free_blocks\": missing parameter \"order\"", parseError("free_blocks: {min: 3}"));
        assertEquals("check \"free_blocks\": unknown parameter \"ordre\"; it takes count, max, min, order", parseError("free_blocks: {order: 1, ordre: 3}"));
        assertEquals("check \"free_blocks\": parameter \"order\" must be between 0 and 10, not 11", parseError("free_blocks: {order: 11}"));
        assertEquals("check \"free_blocks\": parameter \"order\" must be a whole number, not the text \"three\"", parseError("free_blocks: {order: three}"));
        assertEquals("check \"ran\": give either \"function\" or \"pattern\"", parseError("ran: {}"));
        assertEquals("check \"printed\": \"pattern\" is not a valid regular expression: Unclosed group", parseError("printed: {pattern: '(oops'}"));
        assertEquals("check \"page_owner\": unknown owner \"NOBODY\"; use one of FREE_HEAD, FREE_INSIDE, FREE_PCP, HEAD, TAIL, PAGE, PAGE_INSIDE, RESERVED, SLAB, LARGE_KMALLOC, ZSMALLOC, "
                + java.util.Arrays.stream(org.memdesclab.sim.Owner.values()).skip(11).map(Enum::name).collect(java.util.stream.Collectors.joining(", ")),
                parseError("page_owner: {pfn: 1, owner: NOBODY}"));
        assertEquals("check \"buddyinfo\": \"counts\" must hold 1 to 11 numbers (orders 0 to 10)", parseError("buddyinfo: {counts: [0,0,0,0,0,0,0,0,0,0,0,0]}"));
        assertEquals("all_of goal 2: check \"refcount\": give either \"value\" or \"min\"", parseError("all_of: [all_free, {refcount: {pfn: 1}}]"));
        assertEquals("a goal mapping needs \"check: NAME\", or exactly one key naming the check; found keys free_blocks, all_free",
                parseError("{free_blocks: {order: 1}, all_free: {}}"));
        assertEquals("check \"all_free\": unknown parameter \"x\"; this check takes none", parseError("all_free: {x: 1}"));
        assertEquals("check \"page_flag\": unknown flag \"PG_slab\"; use one of " + String.join(", ",
                java.util.Arrays.stream(org.memdesclab.sim.PageFlag.values()).map(Enum::name).toList()), parseError("page_flag: {pfn: 0, flag: PG_slab}"));
    }

    private String parseError(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> goal(yaml)).getMessage();
    }

    @Test
    void everyCheckHasADescriptionForTheAuthoringGuide() {
        assertEquals(15, checks.all().size());
        for (GoalCheck c : checks.all()) assertTrue(c.description().length() > 20, c.name());
    }

    @Test
    void aCheckThatThrowsBecomesAnUnmetGoalNotACrash() {
        GoalCheck broken = new GoalCheck() {
            public String name() { return "broken"; }

            public String description() { return "always throws"; }

            public GoalResult check(GoalContext context, Map<String, Object> params) { throw new IllegalStateException("boom"); }
        };
        GoalChecks registry = new GoalChecks(List.of(broken));
        assertEquals(GoalResult.notMet("This goal could not be checked: boom"),
                registry.evaluate(new GoalSpec("broken", Map.of()), new GoalContext(console.machine(), history)));
    }

    @Test
    void everyCheckIsDocumentedInTheAuthoringGuide() throws java.io.IOException {
        String guide = java.nio.file.Files.readString(java.nio.file.Path.of("content/README.md"));
        for (GoalCheck c : checks.all()) assertTrue(guide.contains("| `" + c.name() + "` |"), c.name() + " has a row in content/README.md");
    }
}
