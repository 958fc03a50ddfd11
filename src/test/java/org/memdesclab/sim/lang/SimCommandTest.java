package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.cli.SimCommand;
import org.memdesclab.sim.MachineConfig;
import picocli.CommandLine;

/** The sim command's contract (design.md section 3), run in-process. */
class SimCommandTest {

    private static String run(MachineConfig config, String input, boolean trace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(0, SimCommand.run(config, new StringReader(input), out, trace));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theContractsExampleRunPrintsThePfnAndBuddyinfo() {
        String out = run(SimCommand.configFromArgs("--pages", "64"),
                "p = alloc_pages(GFP_KERNEL, 0)\npage_to_pfn(p)\ncat /proc/buddyinfo\n", false);
        assertEquals("0\nNode 0, zone   Normal      1      1      1      1      1      1      0      0      0      0      0 \n",
                out.replace(System.lineSeparator(), "\n"));
    }

    @Test
    void aFailingStatementPrintsAnErrorAndTheRunGoesOn() {
        String out = run(MachineConfig.defaults(), "folio_put(pfn_to_page(0))\r\nnope\n1 + 1", false)
                .replace(System.lineSeparator(), "\n");
        assertEquals("error: incompatible pointer types passing 'struct page *' to parameter of type 'struct folio *'\n"
                + "error: use of undeclared identifier 'nope'\n2\n", out);
    }

    @Test
    void traceIsOffByDefaultAndIndentedWhenAskedFor() {
        String plain = run(MachineConfig.defaults(), "p = alloc_pages(GFP_KERNEL, 0)\n", false);
        assertEquals("", plain);
        String traced = run(MachineConfig.defaults(), "p = alloc_pages(GFP_KERNEL, 0)\n", true);
        assertTrue(traced.startsWith("  alloc_pages: order 0, gfp GFP_KERNEL"), traced);
        assertTrue(traced.contains("expand: put PFN 32 on free_area[5]"), traced);
        for (String l : traced.split("\\R")) assertTrue(l.startsWith("  "), l);
    }

    @Test
    void optionsBuildTheMachine() {
        MachineConfig c = SimCommand.configFromArgs("--pages", "128", "--cpus", "2", "--pcp-batch", "8", "--pcp-high", "64",
                "--reserve", "0-3,9");
        assertEquals(128, c.pages());
        assertEquals(2, c.cpus());
        assertTrue(c.pcp(), "--pcp-batch implies --pcp");
        assertEquals(8, c.pcpBatch());
        assertEquals(64, c.pcpHigh());
        assertEquals(java.util.List.of(0L, 1L, 2L, 3L, 9L), java.util.List.copyOf(c.reserved()));
        // with pcp on, rmqueue_bulk takes 8 order-0 blocks; the lowest-order free block (PFN 8, between the reserved
        // PFNs) comes first
        assertEquals("1\n8\n", run(c, "PageReserved(pfn_to_page(9))\npage_to_pfn(alloc_page(GFP_KERNEL))\n", false)
                .replace(System.lineSeparator(), "\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--pages=0", "--pages=x", "--cpus=0", "--reserve=x", "--reserve=70", "--reserve=5-2",
        "--profile=2.4", "--bogus", "--pcp-batch=0"})
    void badOptionsExitWithStatusTwoAndAMessageOnStderr(String option) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        int status = new CommandLine(new SimCommand()).setErr(new PrintWriter(err)).setOut(new PrintWriter(out)).execute(option);
        assertEquals(2, status, option);
        assertTrue(err.toString().length() > 0, option);
        assertEquals("", out.toString(), option);
    }
}
