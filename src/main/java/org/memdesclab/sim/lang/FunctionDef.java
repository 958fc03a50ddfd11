package org.memdesclab.sim.lang;

import java.util.List;

/**
 * One kernel function the console can call: its C prototype, where it lives in the kernel, one line
 * of meaning, any lab simplification, and the implementation. Function tables are data: a later
 * feature (slab, zsmalloc) registers more of these in a {@link FunctionRegistry}.
 *
 * @param name        the kernel's name
 * @param returnType  C return type
 * @param params      parameters (name and C type), as the prototype declares them
 * @param minArgs     fewest arguments accepted (less than params.size() only for optional trailing ones)
 * @param macro       true for kernel macros (virt_to_page, __pa): address parameters accept pointers and
 *                    integers alike, as the macro's casts do
 * @param mutates     true if the call can change the machine (used to keep failed statements atomic)
 * @param group       the heading under which {@code help} lists it
 * @param source      the kernel file that defines it, e.g. mm/page_alloc.c
 * @param meaning     one line: what it does
 * @param simplification what the lab does differently, or null
 * @param impl        the implementation
 */
public record FunctionDef(String name, CType returnType, List<Param> params, int minArgs, boolean macro, boolean mutates,
                          String group, String source, String meaning, String simplification, Impl impl) {

    /** A parameter: its name and type; {@code spelling} keeps the prototype's own text ("const struct page *"). */
    public record Param(String name, CType type) {}

    /** Runs the function on already type-checked and converted arguments. */
    @FunctionalInterface
    public interface Impl {
        Value call(CallContext ctx, List<Value> args);
    }

    /** The prototype as C declares it, e.g. {@code struct page *alloc_pages(gfp_t gfp, unsigned int order)}. */
    public String signature() {
        StringBuilder sb = new StringBuilder(returnType.spelling());
        if (!sb.toString().endsWith("*")) sb.append(' ');
        sb.append(name).append('(');
        if (params.isEmpty()) sb.append("void");
        for (int i = 0; i < params.size(); i++) {
            if (i > 0) sb.append(", ");
            if (i >= minArgs) sb.append('[');
            Param p = params.get(i);
            String t = p.type().spelling();
            sb.append(t).append(t.endsWith("*") ? "" : " ").append(p.name());
            if (i >= minArgs) sb.append(']');
        }
        return sb.append(')').toString();
    }

    /**
     * Builds a definition from a C prototype string. Optional trailing parameters are written in
     * brackets: {@code "void dump_page(const struct page *page, [const char *reason])"}.
     */
    public static Builder prototype(String proto) { return new Builder(proto); }

    /** Fluent construction of a {@link FunctionDef} from its prototype. */
    public static final class Builder {
        private final String name;
        private final CType ret;
        private final List<Param> params = new java.util.ArrayList<>();
        private int minArgs;
        private boolean macro;
        private boolean mutates;
        private String group = "Other";
        private String source = "";
        private String meaning = "";
        private String simplification;

        private Builder(String proto) {
            int open = proto.indexOf('(');
            int close = proto.lastIndexOf(')');
            if (open < 0 || close < open) throw new IllegalArgumentException("not a prototype: " + proto);
            String head = proto.substring(0, open).trim();
            int split = Math.max(head.lastIndexOf(' '), head.lastIndexOf('*'));
            this.name = head.substring(split + 1);
            this.ret = Parser.parseType(head.substring(0, split + 1).trim());
            String inside = proto.substring(open + 1, close).trim();
            int optionalFrom = -1;
            if (!inside.isEmpty() && !inside.equals("void")) {
                for (String part : inside.split(",")) {
                    String p = part.trim();
                    if (p.startsWith("[")) {
                        if (optionalFrom < 0) optionalFrom = params.size();
                        p = p.substring(1, p.length() - 1).trim();
                    }
                    int s = Math.max(p.lastIndexOf(' '), p.lastIndexOf('*'));
                    params.add(new Param(p.substring(s + 1), Parser.parseType(p.substring(0, s + 1).trim())));
                }
            }
            this.minArgs = optionalFrom < 0 ? params.size() : optionalFrom;
        }

        public Builder macro() { this.macro = true; return this; }

        public Builder mutates() { this.mutates = true; return this; }

        public Builder group(String g) { this.group = g; return this; }

        public Builder source(String s) { this.source = s; return this; }

        public Builder meaning(String m) { this.meaning = m; return this; }

        public Builder simplification(String s) { this.simplification = s; return this; }

        public FunctionDef impl(Impl impl) {
            return new FunctionDef(name, ret, List.copyOf(params), minArgs, macro, mutates, group, source, meaning,
                    simplification, impl);
        }
    }
}
