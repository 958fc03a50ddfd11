package org.memdesclab.sim.lang;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.memdesclab.sim.Machine;

/**
 * Seeded, bounded fuzzing of the console language: statements from the sim scripts (the real grammar
 * in use) mutated at random, statements generated from the function registry with odd arguments, very
 * long lines, binary and odd Unicode, deep nesting. Every statement must answer with a message (never an
 * internal error or an exception), a refused statement must leave the machine and the variables exactly
 * as they were, and the invariants must hold after every statement. Set {@code -Dfuzz.seed=N} to replay
 * a failure; {@code -Dfuzz.rounds=N} runs longer.
 */
class ConsoleFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final int ROUNDS = Integer.getInteger("fuzz.rounds", 60);
    private static final int PER_ROUND = 40;

    private static final String[] ODD = {
        "\u0000", "\u0007", "\u001b[31m", "\u007f", "\u00a0", "\u00ad", "\u200b", "\u200d", "\u202e", "\u2028", "\u2029",
        "\ufeff", "\ufffd", "\ud800", "\udfff", "\ud83d\ude00", "e\u0301", "\u0130", "\u00df", "\uff08", "\uff1b", "𝕡",
        "\t", "\r", "\f", "\\", "\"", "'", "`", "$", "@", "#", "%", "<script>alert(1)</script>", "&amp;", "%00", "../",
    };
    private static final String[] TOKENS = {
        "(", ")", "->", ".", ",", ";", "*", "&", "=", "==", "!=", "+", "-", "<<", ">>", "~", "!", "?", ":", "[", "]", "{", "}",
        "&&", "||", "++", "--", "+=", "sizeof", "struct page", "struct folio *", "(unsigned long)", "NULL", "for", "int",
        "0", "1", "-1", "63", "64", "0x7fffffffffffffff", "0xffffffffffffffff", "18446744073709551616", "9223372036854775808",
        "-9223372036854775808", "1e9", "0b101", "07777", "'a'", "\"s\"", "GFP_KERNEL", "GFP_ATOMIC", "__GFP_COMP",
        "MAX_PAGE_ORDER", "PAGE_SIZE", "vmemmap", "PAGE_OFFSET", "p", "f", "s", "x",
    };
    private static final String[] NUMBERS = {
        "0", "1", "2", "3", "10", "11", "-1", "-2", "63", "64", "65", "4095", "4096", "1 << 30", "2147483647", "2147483648",
        "-2147483648", "0x7fffffffffffffff", "0xffffffffffffffff", "0x8000000000000000", "9223372036854775807",
    };

    private final Random rnd = new Random(SEED);
    private final List<SimScript> scripts = loadScripts();
    private final FunctionRegistry registry = FunctionRegistry.standard();

    @Test
    void randomAndMutatedStatementsAnswerAndRefusedOnesChangeNothing() {
        int ran = 0;
        for (int round = 0; round < ROUNDS; round++) {
            SimScript script = scripts.get(rnd.nextInt(scripts.size()));
            Console c = new Console(new Machine(script.config()));
            // a prefix of a real script gives the fuzzed statements a machine with something on it
            int prefix = rnd.nextInt(script.steps().size() + 1);
            for (int i = 0; i < prefix; i++) c.exec(script.steps().get(i).statement());
            List<String> corpus = new ArrayList<>();
            for (SimScript.Step s : script.steps()) corpus.add(s.statement());
            for (int i = 0; i < PER_ROUND; i++) {
                String st = fuzzed(corpus);
                check(c, st, script.name());
                ran++;
            }
        }
        System.out.println("ConsoleFuzzTest: seed " + SEED + ", " + ran + " statements");
    }

    @Test
    void extremeShapesAnswerWithAMessage() {
        Console c = new Console(new Machine(org.memdesclab.sim.MachineConfig.defaults()));
        check(c, "p = alloc_pages(GFP_KERNEL, 0)", "setup");
        List<String> cases = new ArrayList<>();
        cases.add("(".repeat(2000) + "1" + ")".repeat(2000));
        cases.add("-".repeat(4000) + "1");
        cases.add("!".repeat(4000) + "1");
        cases.add("*".repeat(4000) + "p");
        cases.add("&".repeat(3000) + "p");
        cases.add("page_folio(".repeat(300) + "p" + ")".repeat(300));
        cases.add("p" + "->lru.next".repeat(300));
        cases.add("1" + " + 1".repeat(1000));
        cases.add("1" + " ? 1 : 1".repeat(400));
        cases.add("x = " + "y = ".repeat(900) + "1");
        cases.add("(struct page *)".repeat(250) + "p");
        cases.add("for (i = 0; i < 1; i++) ".repeat(150) + "i");
        cases.add("x".repeat(4096));
        cases.add("x".repeat(4097));
        cases.add("\u00e9".repeat(2049));
        cases.add("\ud83d\ude00".repeat(1100));
        cases.add("\"" + "a".repeat(4000) + "\"");
        cases.add("\"" + "\\".repeat(3000));
        cases.add("cat " + "/proc/".repeat(600));
        cases.add("help " + "a".repeat(4000));
        cases.add("1\n2");
        cases.add("\n\n\n");
        cases.add("");
        cases.add(" \t ");
        cases.add(";;;;");
        cases.add("\u0000\u0001\u0002");
        for (int i = 0; i < 20; i++) cases.add(binary(rnd.nextInt(200) + 1));
        for (String s : cases) check(c, s, "extreme");
    }

    /** Runs one statement; fails (with the seed) unless it answered with a message and, if refused, changed nothing. */
    private static void check(Console c, String st, String where) {
        long before = c.machine().digest();
        Map<String, String> vars = c.variables();
        ExecResult r;
        try {
            r = c.exec(st);
        } catch (Throwable t) {
            throw new AssertionError(failure(where, st, "threw " + t), t);
        }
        if (r.output().stream().anyMatch(l -> l.contains("internal error") || l.contains("Exception") || l.contains("\tat "))) {
            fail(failure(where, st, "internal error: " + r.output()));
        }
        if (!r.ok()) {
            if (r.output().isEmpty() || r.output().get(0).isBlank()) fail(failure(where, st, "refused without a message"));
            if (before != c.machine().digest()) fail(failure(where, st, "refused but changed the machine: " + r.output()));
            if (!vars.equals(c.variables())) fail(failure(where, st, "refused but changed the variables: " + r.output()));
        }
        List<String> broken = c.machine().checkConsistency();
        if (!broken.isEmpty()) fail(failure(where, st, "invariants broken: " + broken + " output " + r.output()));
    }

    private static String failure(String where, String st, String what) {
        String shown = st.length() > 300 ? st.substring(0, 300) + "... (" + st.length() + " chars)" : st;
        return "seed " + SEED + " (rerun with -Dfuzz.seed=" + SEED + "), " + where + ": " + escape(shown) + ": " + what;
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch < 0x20 || ch >= 0x7f) b.append(String.format("\\u%04x", (int) ch));
            else b.append(ch);
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- generators

    private String fuzzed(List<String> corpus) {
        String base = corpus.isEmpty() ? "p = alloc_pages(GFP_KERNEL, 0)" : corpus.get(rnd.nextInt(corpus.size()));
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2 -> mutate(base, 1 + rnd.nextInt(4));
            case 3, 4 -> generatedCall();
            case 5 -> generatedCall() + " " + pick(new String[]{"+", "==", "?", ";", "->flags", "[1]", "= 3"}) + " " + generatedCall();
            case 6 -> base.substring(0, rnd.nextInt(base.length() + 1));
            case 7 -> splice(base, pick(ODD));
            case 8 -> numbersSwapped(base);
            default -> mutate(generatedCall(), 1 + rnd.nextInt(3));
        };
    }

    private String mutate(String s, int times) {
        for (int t = 0; t < times; t++) {
            int at = s.isEmpty() ? 0 : rnd.nextInt(s.length() + 1);
            s = switch (rnd.nextInt(5)) {
                case 0 -> s.isEmpty() ? s : s.substring(0, Math.min(at, s.length() - 1)) + s.substring(Math.min(at, s.length() - 1) + 1);
                case 1 -> s.substring(0, at) + pick(TOKENS) + s.substring(at);
                case 2 -> s.substring(0, at) + pick(ODD) + s.substring(at);
                case 3 -> s + s.substring(at);
                default -> s.substring(0, at) + " " + pick(TOKENS) + " " + s.substring(at);
            };
        }
        return s;
    }

    private String splice(String s, String piece) {
        int at = rnd.nextInt(s.length() + 1);
        return s.substring(0, at) + piece + s.substring(at);
    }

    private String numbersSwapped(String s) {
        return s.replaceAll("\\b\\d+\\b", pick(NUMBERS).replace("$", ""));
    }

    /** A call of a real function with arguments that are numbers, variables, constants or calls. */
    private String generatedCall() {
        List<FunctionDef> all = registry.all();
        FunctionDef f = all.get(rnd.nextInt(all.size()));
        int n = rnd.nextInt(8) == 0 ? rnd.nextInt(5) : Math.max(f.minArgs(), f.params().size());
        StringBuilder b = new StringBuilder();
        if (rnd.nextInt(3) == 0) b.append(pick(new String[]{"p", "f", "s", "x", "q9"})).append(" = ");
        b.append(f.name()).append('(');
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(", ");
            b.append(argument(0));
        }
        return b.append(')').toString();
    }

    private String argument(int depth) {
        return switch (rnd.nextInt(depth > 1 ? 4 : 6)) {
            case 0 -> pick(NUMBERS);
            case 1 -> pick(new String[]{"p", "f", "s", "x", "NULL", "vmemmap", "PAGE_OFFSET"});
            case 2 -> pick(new String[]{"GFP_KERNEL", "GFP_ATOMIC", "GFP_KERNEL | __GFP_COMP", "0", "~0", "GFP_HIGHUSER_MOVABLE"});
            case 3 -> "\"" + pick(new String[]{"kmalloc-64", "dentry", "", "x".repeat(300), "zs", "\\n"}) + "\"";
            case 4 -> pick(new String[]{"pfn_to_page", "page_folio", "folio_page", "virt_to_page", "page_address"}) + "(" + argument(depth + 1) + ")";
            default -> {
                List<FunctionDef> all = registry.all();
                FunctionDef g = all.get(rnd.nextInt(all.size()));
                StringBuilder b = new StringBuilder(g.name()).append('(');
                for (int i = 0; i < g.minArgs(); i++) b.append(i > 0 ? ", " : "").append(argument(depth + 1));
                yield b.append(')').toString();
            }
        };
    }

    private String binary(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append((char) rnd.nextInt(rnd.nextBoolean() ? 0x80 : 0x10000));
        return b.toString();
    }

    private String pick(String[] a) { return a[rnd.nextInt(a.length)]; }

    private static List<SimScript> loadScripts() {
        try (Stream<Path> files = Files.list(Path.of(ConsoleFuzzTest.class.getResource("/scripts").toURI()))) {
            List<SimScript> out = new ArrayList<>();
            for (Path p : files.sorted().toList()) {
                if (p.toString().endsWith(".sim")) out.add(SimScript.load(p.getFileName().toString()));
            }
            if (out.isEmpty()) throw new IllegalStateException("no sim scripts found");
            return out;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
