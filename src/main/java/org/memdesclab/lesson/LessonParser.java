package org.memdesclab.lesson;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.memdesclab.sim.KernelProfile;
import org.memdesclab.sim.MachineConfig;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads one {@code lesson.md}: YAML front matter between two {@code ---} lines, then a Markdown body
 * (the introduction; a {@code ## In the real kernel} section is split out). The format is described
 * in content/README.md. Every problem becomes a {@link LessonFormatException} naming the file.
 */
public final class LessonParser {
    /** Lesson folders are named NN-id, e.g. 02-buddy. */
    /** YAML options for lesson files: a key given twice is an error, not a silent overwrite. */
    static LoaderOptions strictYaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return options;
    }

    public static final Pattern FOLDER = Pattern.compile("(\\d{1,3})-([a-z0-9][a-z0-9-]*)");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern REAL_KERNEL = Pattern.compile("^##\\s+In the real kernel\\s*#*\\s*$", Pattern.CASE_INSENSITIVE);

    private final GoalChecks checks;

    public LessonParser(GoalChecks checks) { this.checks = checks; }

    /**
     * Parses a lesson.
     *
     * @param file   the file as shown in error messages, e.g. "content/lessons/02-buddy/lesson.md"
     * @param folder the lesson folder's name ("02-buddy"); it fixes the id and the default order
     * @param text   the file's contents
     */
    public Lesson parse(String file, String folder, String text) {
        try {
            return parse(folder, text);
        } catch (Fields.Problem e) {
            throw new LessonFormatException(file, e.getMessage());
        }
    }

    private Lesson parse(String folder, String text) {
        Matcher fm = FOLDER.matcher(folder);
        if (!fm.matches()) {
            throw new Fields.Problem("the lesson folder \"" + folder + "\" must be named NN-id, e.g. 02-buddy (digits, a dash, then"
                    + " lower-case letters, digits and dashes)");
        }
        String t = text.replace("\r\n", "\n");
        if (t.startsWith("\uFEFF")) t = t.substring(1);
        if (!t.startsWith("---\n")) {
            throw new Fields.Problem("the file must start with a line \"---\", then the YAML front matter, then another \"---\" line");
        }
        int end = t.indexOf("\n---\n", 3);
        int bodyStart = end + 5;
        if (end < 0 && t.endsWith("\n---")) {
            end = t.length() - 4;
            bodyStart = t.length();
        }
        if (end < 0) throw new Fields.Problem("the front matter is not closed: add a line \"---\" after it");
        String yamlText = t.substring(4, end + 1);
        String body = t.substring(Math.min(bodyStart, t.length()));

        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(LessonParser.strictYaml())).load(yamlText);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 2) + ", column " + (mark.getColumn() + 1);
            throw new Fields.Problem("the front matter is not valid YAML" + where + ": " + e.getProblem()
                    + " (a common cause: text containing \": \" or starting with a quote, brace or \"*\"; put such text in quotes or use \"|\")");
        } catch (YAMLException e) {
            throw new Fields.Problem("the front matter is not valid YAML: " + e.getMessage());
        }
        if (doc == null) throw new Fields.Problem("the front matter is empty");
        Fields top = Fields.of("front matter", doc);
        top.allowOnly("id", "title", "order", "summary", "machine", "setup", "steps");

        String id = top.string("id");
        if (!id.equals(fm.group(2))) {
            throw new Fields.Problem("id \"" + id + "\" does not match the folder name \"" + folder + "\" (expected id \"" + fm.group(2) + "\")");
        }
        int folderOrder = Integer.parseInt(fm.group(1));
        int order = top.integer("order", folderOrder);
        if (order != folderOrder) {
            throw new Fields.Problem("order " + order + " does not match the number " + folderOrder + " in the folder name \"" + folder
                    + "\" (leave order out, or rename the folder)");
        }
        if (order < 1) throw new Fields.Problem("order must be 1 or more (0 belongs to the sandbox)");
        String title = top.string("title");
        String summary = top.string("summary", "");
        MachineConfig machine = top.has("machine") ? machine(Fields.of("machine", top.get("machine"))) : MachineConfig.defaults();
        List<String> setup = top.strings("setup");
        for (String s : setup) checkBalanced(top, "setup", s);

        List<Object> rawSteps = top.list("steps");
        if (rawSteps.isEmpty()) throw new Fields.Problem("a lesson needs at least one step under \"steps\"");
        List<Step> steps = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rawSteps.size(); i++) {
            Step s = step(i + 1, rawSteps.get(i));
            if (!ids.add(s.id())) throw new Fields.Problem("step " + (i + 1) + ": the id \"" + s.id() + "\" is used by an earlier step");
            steps.add(s);
        }
        String[] parts = splitBody(body);
        return new Lesson(id, title, order, summary, machine, setup, Markdown.html(parts[0]), steps, Markdown.html(parts[1]));
    }

    private static MachineConfig machine(Fields f) {
        f.allowOnly("pages", "cpus", "pcp", "pcp_batch", "pcp_high", "reserved", "profile", "slab_nomerge");
        MachineConfig d = MachineConfig.defaults();
        String profile = f.string("profile", d.profile());
        try {
            KernelProfile.byId(profile);
        } catch (RuntimeException e) {
            throw f.problem(e.getMessage());
        }
        Set<Long> reserved = new TreeSet<>();
        for (Object r : f.list("reserved")) {
            if (r instanceof Integer || r instanceof Long) {
                reserved.add(((Number) r).longValue());
            } else if (r instanceof String s && s.matches("\\s*\\d+\\s*-\\s*\\d+\\s*")) {
                String[] ab = s.split("-");
                long a = Long.parseLong(ab[0].strip());
                long b = Long.parseLong(ab[1].strip());
                if (b < a) throw f.problem("reserved range \"" + s + "\" runs backwards");
                for (long p = a; p <= b; p++) reserved.add(p);
            } else {
                throw f.problem("\"reserved\" items must be PFNs or ranges like \"0-3\", found " + Fields.describe(r));
            }
        }
        try {
            return new MachineConfig(f.integer("pages", d.pages()), f.integer("cpus", d.cpus()), f.bool("pcp", d.pcp()),
                    f.integer("pcp_batch", d.pcpBatch()), f.integer("pcp_high", d.pcpHigh()), new TreeSet<>(reserved), profile,
                    f.bool("slab_nomerge", d.slabNomerge()));
        } catch (IllegalArgumentException e) {
            throw f.problem(e.getMessage());
        }
    }

    private Step step(int n, Object raw) {
        String where = "step " + n;
        Fields f = Fields.of(where, raw);
        if (f.has("id")) where = where + " (\"" + f.raw().get("id") + "\")";
        f = Fields.of(where, raw);
        f.allowOnly("id", "title", "prose", "goal", "hints", "solution", "questions");
        String id = f.string("id");
        if (!ID.matcher(id).matches()) throw f.problem("the id \"" + id + "\" may use only lower-case letters, digits, \"-\" and \"_\"");
        String title = f.string("title");
        String prose = f.string("prose", "");
        if (!f.has("goal")) throw f.problem("missing \"goal\" (every step is checked against the machine; see content/README.md)");
        GoalSpec goal;
        try {
            goal = checks.parse(f.get("goal"));
        } catch (IllegalArgumentException e) {
            throw f.problem("goal: " + e.getMessage());
        }
        List<String> hints = f.strings("hints");
        if (hints.isEmpty()) throw f.problem("missing \"hints\": give at least one hint, from gentle to explicit");
        List<String> solution = f.strings("solution");
        if (solution.isEmpty()) throw f.problem("missing \"solution\": the statements that reach the goal (tests replay them)");
        for (String s : solution) {
            if (s.contains("\n")) throw f.problem("\"solution\" items must be one statement each, on one line: \"" + s.strip() + "\"");
            checkBalanced(f, "solution", s);
        }
        List<Question> questions = new ArrayList<>();
        List<Object> rawQ = f.list("questions");
        for (int i = 0; i < rawQ.size(); i++) questions.add(question(where + " question " + (i + 1), id + "-q" + (i + 1), rawQ.get(i)));
        Set<String> qids = new HashSet<>();
        for (Question q : questions) if (!qids.add(q.id())) throw f.problem("two questions have the id \"" + q.id() + "\"");
        return new Step(id, title, Markdown.html(prose), goal, hints.stream().map(Markdown::html).toList(), solution.stream().map(String::strip).toList(),
                questions);
    }

    private static Question question(String where, String defaultId, Object raw) {
        Fields f = Fields.of(where, raw);
        f.allowOnly("id", "kind", "prompt", "choices", "answer", "statement", "explanation", "vary", "answer_from");
        String id = f.string("id", defaultId);
        if (!ID.matcher(id).matches()) throw f.problem("the id \"" + id + "\" may use only lower-case letters, digits, \"-\" and \"_\"");
        String kind = f.string("kind").toLowerCase(Locale.ROOT);
        String prompt = Markdown.html(f.string("prompt"));
        String explanation = Markdown.html(f.string("explanation", ""));
        switch (kind) {
            case "choice" -> {
                if (f.has("statement")) throw f.problem("a choice question has no \"statement\" (did you mean kind: predict?)");
                if (f.has("answer_from")) throw f.problem("\"answer_from\" belongs to predict questions");
                if (f.has("vary")) throw f.problem("only predict questions can \"vary\" (the lab cannot compute a choice question's answer)");
                List<String> choices = f.strings("choices");
                if (choices.size() < 2) throw f.problem("a choice question needs at least two \"choices\"");
                if (!f.has("answer")) throw f.problem("missing \"answer\": the right choice's text, or its index counting from 0");
                Object a = f.get("answer");
                int answer;
                if (a instanceof Integer i) {
                    answer = i;
                    if (answer < 0 || answer >= choices.size()) {
                        throw f.problem("\"answer\" " + answer + " is not a choice index (0 to " + (choices.size() - 1) + "); to name a choice"
                                + " by its text, quote it");
                    }
                } else if (a instanceof String s) {
                    answer = choices.indexOf(s);
                    if (answer < 0) answer = choices.stream().map(String::strip).toList().indexOf(s.strip());
                    if (answer < 0) throw f.problem("\"answer\" \"" + s + "\" is not one of the choices");
                } else {
                    throw f.problem("\"answer\" must be the right choice's text or its index, found " + Fields.describe(a));
                }
                return new Question(id, kind, prompt, choices.stream().map(Markdown::inline).toList(), answer, "", explanation);
            }
            case "predict" -> {
                if (f.has("choices") || f.has("answer")) {
                    throw f.problem("a predict question takes no \"choices\" or \"answer\": the lab computes the answer by running \"statement\"");
                }
                if (!f.has("statement")) throw f.problem("missing \"statement\": what the learner predicts the output of");
                Object st = f.get("statement");
                List<String> lines = new ArrayList<>();
                if (st instanceof List<?>) lines.addAll(f.strings("statement"));
                else for (String l : f.string("statement").split("\n")) if (!l.isBlank()) lines.add(l.strip());
                if (lines.isEmpty()) throw f.problem("\"statement\" is empty");
                String statement = String.join("\n", lines);
                Map<String, List<Long>> vary = vary(f, f.string("prompt") + "\n" + statement + "\n" + f.string("explanation", ""));
                String from = f.string("answer_from", "all");
                if (!from.equals("all") && !from.equals("last")) {
                    throw f.problem("answer_from is \"all\" (everything the statements print, the default) or \"last\" (only what the last one prints), not \"" + from + "\"");
                }
                if (from.equals("last") && lines.size() < 2) throw f.problem("answer_from: last needs at least two statements");
                return new Question(id, kind, prompt, List.of(), -1, statement, explanation, vary, from.equals("last"));
            }
            default -> throw f.problem("unknown kind \"" + kind + "\"; use choice or predict");
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\{\\{([a-z_][a-z0-9_]*)}}");

    /** vary: {name: [min, max], ...}; every variable must be used and every {{name}} declared. */
    private static Map<String, List<Long>> vary(Fields f, String texts) {
        Map<String, List<Long>> out = new java.util.LinkedHashMap<>();
        if (f.has("vary")) {
            Fields v = Fields.of(f.where() + ": vary", f.get("vary"));
            for (Map.Entry<String, Object> e : v.raw().entrySet()) {
                String name = e.getKey();
                if (!name.matches("[a-z_][a-z0-9_]*")) throw v.problem("variable \"" + name + "\" must be a lower-case name");
                if (!(e.getValue() instanceof List<?> l) || l.size() != 2 || !l.stream().allMatch(o -> o instanceof Integer || o instanceof Long)) {
                    throw v.problem("\"" + name + "\" must be a range [min, max] of two whole numbers");
                }
                long min = ((Number) l.get(0)).longValue();
                long max = ((Number) l.get(1)).longValue();
                if (max < min) throw v.problem("\"" + name + "\" has an empty range [" + min + ", " + max + "]");
                if (!texts.contains("{{" + name + "}}")) throw v.problem("\"" + name + "\" is never used as {{" + name + "}}");
                out.put(name, List.of(min, max));
            }
        }
        Matcher m = VARIABLE.matcher(texts);
        while (m.find()) {
            if (!out.containsKey(m.group(1))) throw f.problem("{{" + m.group(1) + "}} is not declared under \"vary\"");
        }
        return out;
    }

    /**
     * Catches the commonest YAML slip in statement lists: in a flow list, {@code [alloc_pages(GFP_KERNEL, 0)]},
     * the comma splits one statement into two items.
     */
    private static void checkBalanced(Fields f, String key, String statement) {
        int depth = 0;
        boolean quoted = false;
        for (char c : statement.toCharArray()) {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '(') depth++;
            else if (!quoted && c == ')') depth--;
        }
        if (depth != 0) {
            throw f.problem("\"" + key + "\" item \"" + statement.strip() + "\" has unbalanced parentheses; in a [flow, list] a comma"
                    + " splits items, so write one \"- statement\" line per statement, or quote the statement");
        }
    }

    /** Splits the body into [intro, in-the-real-kernel], ignoring headings inside fenced code. */
    static String[] splitBody(String body) {
        StringBuilder intro = new StringBuilder();
        StringBuilder real = new StringBuilder();
        boolean inReal = false;
        String fence = null;
        for (String line : body.split("\n", -1)) {
            String s = line.stripLeading();
            if (fence == null && (s.startsWith("```") || s.startsWith("~~~"))) {
                fence = s.substring(0, 3);
            } else if (fence != null && s.startsWith(fence)) {
                fence = null;
            } else if (fence == null && line.startsWith("## ")) {
                boolean isReal = REAL_KERNEL.matcher(line.strip()).matches();
                if (isReal) {
                    inReal = true;
                    continue;
                }
                inReal = false;
            }
            (inReal ? real : intro).append(line).append('\n');
        }
        return new String[] {intro.toString().strip(), real.toString().strip()};
    }
}
