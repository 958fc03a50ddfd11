package org.memdesclab.web;

import java.util.List;

/** RFC 4180 CSV: every field quoted, quotes doubled, rows ended by CRLF. */
final class Csv {
    private final StringBuilder out = new StringBuilder();

    Csv row(List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) out.append(',');
            out.append(field(fields.get(i)));
        }
        out.append("\r\n");
        return this;
    }

    /**
     * One quoted field. Text a learner chose (a display name) that starts like a formula gets a leading
     * apostrophe, so a spreadsheet shows it instead of running it.
     */
    static String field(String v) {
        String s = v == null ? "" : v;
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) s = "'" + s;
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    @Override
    public String toString() { return out.toString(); }
}
