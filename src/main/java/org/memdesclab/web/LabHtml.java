package org.memdesclab.web;

import java.util.List;

/**
 * The lab's small, frequent pieces of markup, written in Java: console entries, memmap block outlines,
 * free-list and folio rows, history items, the narration and the time controls. Both the lesson page
 * ({@code lab.html}, through {@code th:utext}) and each statement's htmx answer use these, so the markup
 * has one source. Written here rather than as Thymeleaf fragments because a statement's answer inserted
 * a dozen of them, and each fragment insertion cost more than the statement itself (see README, "Load and
 * crashes"). Every text is escaped; sizes go into data-* attributes that lab.js applies through the CSSOM,
 * so the Content-Security-Policy needs no inline style attributes.
 */
public final class LabHtml {
    private final String lessonId;

    public LabHtml(String lessonId) { this.lessonId = lessonId; }

    private static StringBuilder esc(StringBuilder sb, Object o) {
        if (o != null) MemmapView.escape(sb, o.toString());
        return sb;
    }

    private static void oob(StringBuilder sb, boolean oob) {
        if (oob) sb.append(" hx-swap-oob=\"true\"");
    }

    // ------------------------------------------------------------------ console

    public String entry(LabModels.ConsoleEntry e) {
        StringBuilder sb = new StringBuilder(128);
        entry(sb, e);
        return sb.toString();
    }

    public void entry(StringBuilder sb, LabModels.ConsoleEntry e) {
        sb.append("<div class=\"").append(e.note() ? "entry note" : e.ok() ? "entry" : "entry err").append('"');
        if (!e.note()) esc(sb.append(" data-stmt=\""), e.statement()).append('"');
        sb.append("><div class=\"echo\">");
        if (!e.note()) sb.append("<span class=\"sr-only\">Ran: </span><span aria-hidden=\"true\">&gt; </span>");
        esc(sb.append("<span>"), e.statement()).append("</span></div>");
        if (!e.lines().isEmpty()) esc(sb.append("<pre>"), e.joined()).append("</pre>");
        sb.append("</div>");
    }

    public String transcript(List<LabModels.ConsoleEntry> entries) {
        StringBuilder sb = new StringBuilder();
        for (LabModels.ConsoleEntry e : entries) entry(sb, e);
        return sb.toString();
    }

    // ------------------------------------------------------------------ memmap

    /** A block outline; its grid area goes in data-area (lab.js sets it as the element's grid-area). */
    public void block(StringBuilder sb, MemmapView.Block b, boolean oob) {
        sb.append("<div id=\"").append(b.id()).append("\" class=\"blk blk-").append(b.kind()).append("\" data-area=\"")
                .append(b.gridArea()).append('"');
        oob(sb, oob);
        sb.append("></div>");
    }

    public String blocks(List<MemmapView.Block> blocks) {
        StringBuilder sb = new StringBuilder();
        for (MemmapView.Block b : blocks) block(sb, b, false);
        return sb.toString();
    }

    public String mmSummary(String text, boolean oob) {
        StringBuilder sb = new StringBuilder("<p id=\"mm-summary\"");
        oob(sb, oob);
        return esc(sb.append('>'), text).append("</p>").toString();
    }

    // ------------------------------------------------------------------ tables

    /** A free-list row; the bar's width goes in data-width, in percent. */
    public void freeRow(StringBuilder sb, TableViews.FreeListRow r, boolean oob) {
        sb.append("<tr id=\"").append(r.id()).append('"');
        oob(sb, oob);
        sb.append(">\n  <th scope=\"row\">").append(r.order()).append("</th>\n  <td>").append(r.nrFree()).append("</td>\n")
                .append("  <td><span class=\"barbox\" aria-hidden=\"true\"><span class=\"bar\" data-width=\"").append(r.barPercent())
                .append("\"></span></span>\n    <span class=\"blocks\">");
        boolean first = true;
        for (Long p : r.blocks()) {
            sb.append("<span>").append(first ? "" : "→ ").append("PFN ").append(p).append("</span> ");
            first = false;
        }
        if (r.more() > 0) sb.append("<span>and ").append(r.more()).append(" more</span>");
        sb.append("</span></td>\n</tr>");
    }

    public String freeRows(List<TableViews.FreeListRow> rows) {
        StringBuilder sb = new StringBuilder();
        for (TableViews.FreeListRow r : rows) freeRow(sb, r, false);
        return sb.toString();
    }

    public StringBuilder folioRow(StringBuilder sb, TableViews.FolioRow f, boolean oob) {
        sb.append("<tr id=\"").append(f.id()).append('"');
        oob(sb, oob);
        sb.append(">\n  <td>").append(f.pfn()).append("</td><td>");
        esc(sb, f.kind()).append("</td><td>").append(f.order()).append("</td><td>").append(f.refcount()).append("</td>\n  <td>")
                .append(f.mapcount()).append("</td><td><code>");
        esc(sb, f.mapping()).append("</code></td><td><code>");
        return esc(sb, f.flags()).append("</code></td>\n</tr>");
    }

    public void folioNone(StringBuilder sb, List<TableViews.FolioRow> folios, boolean oob) {
        sb.append("<tr id=\"fo-none\"").append(folios.isEmpty() ? "" : " hidden=\"hidden\"");
        oob(sb, oob);
        sb.append("><td colspan=\"7\" class=\"muted\">Nothing allocated: every page is free.</td></tr>");
    }

    public void folioMore(StringBuilder sb, List<TableViews.FolioRow> folios, long count, boolean oob) {
        sb.append("<tr id=\"fo-more\"").append(count <= folios.size() ? " hidden=\"hidden\"" : "");
        oob(sb, oob);
        sb.append("><td colspan=\"7\" class=\"muted\">… and ").append(count - folios.size())
                .append(" more (the table shows the first ").append(folios.size()).append(")</td></tr>");
    }

    /** The folio table's body for the page. */
    public String folioRows(List<TableViews.FolioRow> folios, int count) {
        StringBuilder sb = new StringBuilder("<tbody id=\"folio-rows\">\n");
        for (TableViews.FolioRow f : folios) folioRow(sb.append("  "), f, false);
        folioNone(sb.append("\n  "), folios, false);
        folioMore(sb.append("\n  "), folios, count, false);
        return sb.append("\n</tbody>").toString();
    }

    // ------------------------------------------------------------------ history, time travel, narration

    public void historyItem(StringBuilder sb, LabModels.HistoryItem h, boolean oob) {
        sb.append("<li id=\"").append(h.id()).append("\" class=\"h-").append(h.state()).append('"');
        oob(sb, oob);
        sb.append("><button type=\"button\" class=\"linkish\"\n    id=\"hb").append(h.n()).append("\" hx-post=\"/labs/");
        esc(sb, lessonId).append("/goto\" hx-vals=\"{&quot;n&quot;:").append(h.n()).append("}\" hx-swap=\"none\"\n")
                .append("    hx-include=\"#mm-from, #mm-selected\"").append(h.state().equals("current") ? " aria-current=\"step\"" : "")
                .append("><span class=\"n\">").append(h.n()).append("</span>\n  <code>");
        esc(sb, h.statement()).append("</code>");
        if (h.state().equals("undone")) sb.append("<span class=\"sr-only\"> (undone)</span>");
        sb.append("</button></li>");
    }

    public String historyItem(LabModels.HistoryItem h, boolean oob) {
        StringBuilder sb = new StringBuilder(256);
        historyItem(sb, h, oob);
        return sb.toString();
    }

    public String historyList(List<LabModels.HistoryItem> items, boolean oob) {
        StringBuilder sb = new StringBuilder("<ol id=\"history-list\"");
        oob(sb, oob);
        sb.append(" class=\"history-list\">\n");
        for (LabModels.HistoryItem h : items) historyItem(sb, h, false);
        return sb.append("\n</ol>").toString();
    }

    public String timeControls(boolean canUndo, boolean canRedo, boolean oob) {
        StringBuilder sb = new StringBuilder(640);
        sb.append("<div id=\"time-controls\" class=\"time-controls\"");
        oob(sb, oob);
        sb.append(" role=\"group\" aria-label=\"Time travel\">\n");
        button(sb, "undo", canUndo, "↶ Undo");
        button(sb, "redo", canRedo, "↷ Redo");
        button(sb, "reset", null, "Reset");
        return sb.append("</div>").toString();
    }

    private void button(StringBuilder sb, String id, Boolean enabled, String label) {
        sb.append("  <button type=\"button\" class=\"btn\" id=\"").append(id).append("\" hx-post=\"/labs/");
        esc(sb, lessonId).append('/').append(id).append("\" hx-swap=\"none\" hx-include=\"#mm-from, #mm-selected\"");
        if (enabled != null) sb.append(" aria-disabled=\"").append(!enabled).append('"');
        sb.append('>').append(label).append("</button>\n");
    }

    /** What the kernel did for the last statement; each line's call depth goes in data-depth. */
    public String narration(String lastStatement, List<LabModels.NarrationLine> lines, boolean oob) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("<div id=\"narration\"");
        oob(sb, oob);
        sb.append(">\n");
        if (lastStatement == null) {
            sb.append("  <p class=\"muted\">Run a statement: the kernel functions it went through appear here, in call order.</p>\n");
        } else {
            esc(sb.append("  <p>After <code>"), lastStatement).append("</code>:</p>\n");
            if (lines.isEmpty()) {
                sb.append("  <p class=\"muted\">It did not go into the allocator.</p>\n");
            } else {
                sb.append("  <ol class=\"trace\">\n");
                for (LabModels.NarrationLine n : lines) {
                    sb.append("    <li data-depth=\"").append(n.depth()).append("\"><code>");
                    esc(sb, n.function()).append("</code> <span>");
                    esc(sb, n.detail()).append("</span></li>\n");
                }
                sb.append("  </ol>\n");
            }
        }
        return sb.append("</div>").toString();
    }
}
