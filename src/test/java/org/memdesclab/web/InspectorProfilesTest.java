package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memdesclab.sim.Gfp;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;

/**
 * The web inspector and the lab header under every kernel profile. Over real HTTP, the inspector's raw
 * words are the ones the profile's struct page holds: as many as sizeof(struct page) / 8, each equal
 * to what the console reads at that offset of the same struct page, with that era's field names.
 */
class InspectorProfilesTest {
    @TempDir
    static Path dir;
    static LabServer server;

    @BeforeAll
    static void start() { server = LabServer.start(dir); }

    @AfterAll
    static void stop() { server.close(); }

    private static final Pattern RAW = Pattern.compile("<td><code>(0x[0-9a-f]{16})</code></td>");

    private static List<Long> rawWords(String html) {
        List<Long> out = new ArrayList<>();
        Matcher mt = RAW.matcher(html);
        while (mt.find()) out.add(Long.parseUnsignedLong(mt.group(1).substring(2), 16));
        return out;
    }

    private static String one(LabServer.Client c, String statement) {
        JsonNode j = ApiTest.json(c.exec("sandbox", statement).body());
        assertTrue(j.get("ok").asBoolean(), statement + " -> " + j);
        return j.get("output").isEmpty() ? "" : j.get("output").get(0).asText();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"6.18", "5.15", "memdesc", "memdesc2"})
    void theInspectorShowsTheWordsOfTheProfilesStructPage(String profile) {
        var c = server.client();
        c.form("/sandbox", "pages", "64", "cpus", "2", "profile", profile);
        long slab = Long.parseLong(one(c, "page_to_pfn(virt_to_page(kmalloc(100, GFP_KERNEL)))"));
        long folio = Long.parseLong(one(c, "page_to_pfn(folio_page(folio_alloc(GFP_KERNEL, 2), 0))"));
        one(c, "mm = mm_alloc()");
        long pgd = Long.parseLong(one(c, "page_to_pfn(virt_to_page(lab_mm_pgd(mm)))"));
        int size = Integer.parseInt(one(c, "sizeof(struct page)"));
        for (long pfn : new long[] {slab, folio, folio + 1, pgd, 40}) {
            String[] parts = c.get("/labs/sandbox/inspect/" + pfn).body().split("id=\"desc-words\"");
            String html = parts[0];
            List<Long> words = rawWords(html);
            assertEquals(size / 8, words.size(), profile + " PFN " + pfn + ": one row per word of its struct page\n" + html);
            for (int i = 0; i < words.size(); i++) {
                long console = Long.parseUnsignedLong(one(c, "*(unsigned long *)((unsigned long)pfn_to_page(" + pfn + ") + " + (8 * i) + ")"));
                assertEquals(console, words.get(i), profile + " PFN " + pfn + " word " + i);
            }
            if (parts.length > 1) {
                // the descriptor's table: each word as the console reads it through p->memdesc & ~0xf
                List<Long> desc = rawWords(parts[1]);
                assertTrue(desc.size() >= 6, profile + " PFN " + pfn + ": " + parts[1]);
                for (int i = 0; i < desc.size(); i++) {
                    long console = Long.parseUnsignedLong(one(c, "*(unsigned long *)((pfn_to_page(" + pfn + ")->memdesc & ~0xf) + "
                            + (8 * i) + ")"));
                    assertEquals(console, desc.get(i), profile + " PFN " + pfn + " descriptor word " + i);
                }
            }
        }
        String slabHtml = c.get("/labs/sandbox/inspect/" + slab).body();
        String tableHtml = c.get("/labs/sandbox/inspect/" + pgd).body();
        String tailHtml = c.get("/labs/sandbox/inspect/" + (folio + 1)).body();
        switch (profile) {
            case "5.15" -> {
                // slab_cache is a struct page member at offset 24; there is no struct slab or struct folio column
                assertTrue(slabHtml.contains("slab_cache</span> = <code>0xffffffff83c"), slabHtml);
                assertTrue(slabHtml.contains("frozen</span> = <code>1</code>"), "the CPU slab is frozen: " + slabHtml);
                assertFalse(slabHtml.contains("struct slab (this page is the slab)"), slabHtml);
                assertTrue(tailHtml.contains("compound_order</span> = <code>2</code>"), tailHtml);
                assertTrue(tableHtml.contains("pt_mm</span> = <code>0x"), tableHtml);
            }
            case "memdesc", "memdesc2" -> {
                assertTrue(slabHtml.contains("Slab (5)") && slabHtml.contains("struct slab at 0x"), slabHtml);
                assertTrue(tableHtml.contains("PageTable (7)") && tableHtml.contains("struct ptdesc at 0x"), tableHtml);
                assertTrue(tailHtml.contains("File (2)") && tailHtml.contains("struct folio at 0x"), tailHtml);
                String[] slabParts = slabHtml.split("id=\"desc-words\"");
                assertFalse(slabParts[0].contains("slab_cache"), "no 6.18 readings in a memdesc struct page");
                assertTrue(slabParts[1].contains("slab_cache</span> = <code>0xffffffff83c"), "the struct slab's own memory: " + slabParts[1]);
                assertTrue(tailHtml.split("id=\"desc-words\"")[1].contains("_refcount</span> = <code>1</code>"), tailHtml);
                assertTrue(tailHtml.contains("struct folio at 0x") && tailHtml.contains("(160 bytes)"), tailHtml);
                if (profile.equals("memdesc2")) assertTrue(tailHtml.contains("order</span> = <code>2</code>"), tailHtml);
            }
            default -> {
                assertTrue(slabHtml.contains("struct slab (this page is the slab)"), slabHtml);
                assertTrue(slabHtml.contains("slab_cache</span> = <code>0xffffffff83c"), slabHtml);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"6.18", "5.15", "memdesc", "memdesc2"})
    void everyPfnInspectsAndTheDumpShowsTheProfilesRawWords(String profile) {
        Machine m = new Machine(MachineConfig.defaults().withProfile(profile));
        m.folioAlloc(Gfp.GFP_KERNEL, 2);
        m.slub().kmalloc(100, Gfp.GFP_KERNEL);
        m.slub().kmalloc(10000, Gfp.GFP_KERNEL);
        for (long pfn = 0; pfn < m.nrPages(); pfn++) {
            InspectorView v = InspectorView.of(m, pfn);
            assertEquals(m.profile().structPageSize() / 8, v.words().size(), "the profile's word rows");
            String first = v.dump().get(0);
            assertTrue(profile.startsWith("memdesc") ? first.startsWith("memdesc: ") : first.startsWith("page:"), first);
        }
        String header = LabModels.configText(m.config());
        assertTrue(header.endsWith(profile.startsWith("memdesc") ? "kernel profile " + profile + " (proposed memdescs)"
                : "Linux " + profile + " layout"), header);
    }
}
