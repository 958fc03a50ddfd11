package org.memdesclab.lesson;

import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Renders lesson Markdown to HTML. Raw HTML in lesson files is escaped and link URLs are sanitised,
 * so a lesson (possibly written by an instructor) cannot inject script into the lab page.
 */
public final class Markdown {
    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

    private Markdown() {}

    /** Block Markdown (paragraphs, lists, code blocks) to HTML; empty text gives "". */
    public static String html(String markdown) {
        if (markdown == null || markdown.isBlank()) return "";
        return RENDERER.render(PARSER.parse(markdown)).strip();
    }

    /** One line of Markdown (a quiz choice) to inline HTML, without the surrounding paragraph. */
    public static String inline(String markdown) {
        String html = html(markdown);
        if (html.startsWith("<p>") && html.endsWith("</p>") && html.indexOf("<p>", 3) < 0) {
            html = html.substring(3, html.length() - 4);
        }
        return html;
    }
}
