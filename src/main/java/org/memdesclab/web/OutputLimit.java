package org.memdesclab.web;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounds what one statement shows in the lab. A 4,096-iteration loop that prints can produce thousands of
 * lines: the page would drown in them and the journal row that keeps them has a fixed size. The machine is
 * unaffected (the statement ran in full); only the shown output is cut, and the cut says so.
 * The {@code sim} command is not limited.
 */
final class OutputLimit {
    static final int MAX_LINES = 400;
    static final int MAX_CHARS = 24_000;

    private OutputLimit() {}

    static List<String> cap(List<String> output) {
        int chars = 0;
        int lines = 0;
        for (String line : output) {
            if (lines == MAX_LINES || chars + line.length() + 1 > MAX_CHARS) break;
            chars += line.length() + 1;
            lines++;
        }
        if (lines == output.size()) return output;
        List<String> out = new ArrayList<>(output.subList(0, lines));
        out.add("[" + (output.size() - lines) + " more lines not shown: the lab shows at most " + MAX_LINES
                + " lines or " + MAX_CHARS / 1000 + " KB per statement; `sim` prints them all]");
        return out;
    }
}
