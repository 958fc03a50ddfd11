package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a 1,024-page machine every statement's htmx response stays under 16 KB: it carries what changed. */
class ResponseSizeTest {
    static final int LIMIT = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void everyResponseOnA1024PageMachineIsUnder16KB() {
        try (LabServer s = LabServer.start(dir)) {
            var c = s.client();
            c.form("/sandbox", "pages", "1024");
            String[][] steps = {
                {"exec", "statement", "p = alloc_pages(GFP_KERNEL, 0)"},
                {"exec", "statement", "q = alloc_pages(GFP_KERNEL, 3)"},
                {"exec", "statement", "f = folio_alloc(GFP_KERNEL, 2)"},
                {"op", "op", "folio", "order", "9"},
                {"op", "op", "free", "selected", "8"},
                {"exec", "statement", "dump_page(p)"},
                {"exec", "statement", "cat /proc/buddyinfo"},
                {"undo"}, {"undo"}, {"redo"},
                {"exec", "statement", "__free_pages(p, 0)"},
                {"exec", "statement", "big = alloc_pages(GFP_KERNEL, 9)"},
                {"goto", "n", "0"},
                {"exec", "statement", "all = alloc_pages(GFP_KERNEL, 10)"},
                {"exec", "statement", "__free_pages(all, 10)"},
                {"reset"},
            };
            StringBuilder report = new StringBuilder();
            for (String[] st : steps) {
                String[] kv = java.util.Arrays.copyOfRange(st, 1, st.length);
                var r = c.htmx("/labs/sandbox/" + st[0], kv);
                assertEquals(200, r.statusCode());
                int bytes = r.body().getBytes(StandardCharsets.UTF_8).length;
                report.append(String.format("%6d bytes  %s %s%n", bytes, st[0], String.join(" ", kv)));
                assertTrue(bytes < LIMIT, st[0] + " " + String.join(" ", kv) + " answered " + bytes + " bytes:\n" + r.body());
            }
            // a busy machine: 64 allocated pages in the folio table; one more statement still answers small
            for (int i = 0; i < 64; i++) c.exec("sandbox", "a" + i + " = alloc_pages(GFP_KERNEL, 0)");
            var one = c.htmx("/labs/sandbox/exec", "statement", "more = alloc_pages(GFP_KERNEL, 0)");
            report.append(String.format("%6d bytes  exec more = alloc_pages(GFP_KERNEL, 0) after 64 other allocations%n",
                    one.body().getBytes(StandardCharsets.UTF_8).length));
            assertTrue(one.body().getBytes(StandardCharsets.UTF_8).length < LIMIT, one.body());
            var r = c.htmx("/labs/sandbox/exec", "statement", "__free_pages(a45, 0)");
            int bytes = r.body().getBytes(StandardCharsets.UTF_8).length;
            report.append(String.format("%6d bytes  exec __free_pages(a45, 0) with 65 rows in the folio table%n", bytes));
            assertTrue(bytes < LIMIT, r.body());
            assertTrue(r.body().contains("hx-swap-oob=\"delete\""), "the freed page's row is deleted, the others stay");
            System.out.println("htmx response sizes on a 1,024-page machine:\n" + report);
        }
    }
}
