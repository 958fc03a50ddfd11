package org.memdesclab.sim.lang;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.MachineConfig;
import org.memdesclab.sim.ProcFiles;
import org.memdesclab.sim.TraceEvent;
import org.memdesclab.sim.lang.Ast.*;

/**
 * The console of one learner's machine: runs statements written in the console language (a small C
 * expression language over the kernel's functions, design.md section 3), keeps the learner's
 * variables, and reports output, trace and teaching notes. A statement either succeeds or changes
 * nothing, so a machine is a pure function of its configuration and the statements that succeeded.
 */
public final class Console {
    /** Longest statement accepted, in UTF-8 bytes. */
    public static final int MAX_STATEMENT_BYTES = 4096;

    private static final Pattern CAT = Pattern.compile("\\s*cat\\s+(\\S+)\\s*;?\\s*(//.*)?");
    private static final Pattern COMPARE = Pattern.compile("\\s*compare_profiles\\s*(?:\\(\\s*\\))?\\s*;?\\s*(//.*)?");
    private static final Pattern HELP = Pattern.compile("\\s*help\\s*(?:\\(\\s*)?([A-Za-z_][A-Za-z0-9_/]*)?\\s*(?:\\)\\s*)?;?\\s*(//.*)?");

    private final Machine machine;
    private final FunctionRegistry functions;
    private final Map<String, Function<Machine, List<String>>> procFiles = new LinkedHashMap<>();
    private final Map<String, Evaluator.Var> vars = new LinkedHashMap<>();
    /** The statements that succeeded, for compare_profiles to replay under other profiles. */
    private final List<String> history = new ArrayList<>();

    public Console(Machine machine) { this(machine, FunctionRegistry.standard()); }

    public Console(Machine machine, FunctionRegistry functions) {
        this.machine = machine;
        this.functions = functions;
        procFiles.put("/proc/buddyinfo", ProcFiles::buddyinfo);
        procFiles.put("/proc/pagetypeinfo", ProcFiles::pagetypeinfo);
        registerProcFile("/proc/slabinfo", m -> m.slub().slabinfo());
    }

    /** Rebuilds a machine and its console by running the statements in order on a freshly booted machine. */
    public static Console replay(MachineConfig config, List<String> statements) {
        Console c = new Console(new Machine(config));
        for (String s : statements) c.exec(s);
        return c;
    }

    public Machine machine() { return machine; }

    public FunctionRegistry functions() { return functions; }

    /** Adds a file that {@code cat} can print (e.g. /proc/slabinfo once slab exists). */
    public void registerProcFile(String path, Function<Machine, List<String>> contents) { procFiles.put(path, contents); }

    /** Function names, for completion in the web console. */
    public List<String> functionNames() { return functions.names(); }

    /** Everything a learner can type as a name: functions, constants, variables, commands (for completion). */
    public List<String> completions() {
        TreeSet<String> s = new TreeSet<>(functions.names());
        s.addAll(Evaluator.CONSTANTS.keySet());
        s.addAll(vars.keySet());
        s.add("help");
        s.add("cat");
        s.add("sizeof");
        s.add("offsetof");
        return List.copyOf(s);
    }

    /** The learner's variables and their values as the console prints them, in creation order. */
    public Map<String, String> variables() {
        Map<String, String> m = new LinkedHashMap<>();
        vars.forEach((k, v) -> m.put(k, v.value().type().spelling() + " = " + Evaluator.show(machine, v.value())));
        return m;
    }

    /** Runs one statement. Never throws. */
    public ExecResult exec(String statement) {
        List<String> out = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean tracing = machine.trace().on();
        machine.drainLog();
        machine.trace().drain();
        machine.trace().setEnabled(true);
        boolean ok = true;
        try {
            run(statement == null ? "" : statement, out, notes);
        } catch (KernelError e) {
            ok = false;
            out.addAll(machine.drainLog());
            out.addAll(e.lines());
        } catch (RuntimeException | StackOverflowError e) {
            ok = false;
            out.addAll(machine.drainLog());
            out.add("error: internal error: " + (e instanceof StackOverflowError ? "statement nested too deeply" : e.toString()));
        } finally {
            machine.trace().setEnabled(tracing);
        }
        if (ok && statement != null && !COMPARE.matcher(statement).matches()) history.add(statement);
        List<TraceEvent> trace = machine.trace().drain();
        return new ExecResult(ok, out, trace, new ArrayList<>(new java.util.LinkedHashSet<>(notes)));
    }

    private void run(String statement, List<String> out, List<String> notes) {
        int bytes = statement.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_STATEMENT_BYTES) {
            throw KernelError.error("statement too long (" + bytes + " bytes; the console accepts at most " + MAX_STATEMENT_BYTES + ")");
        }
        if (statement.indexOf('\n') >= 0 || statement.indexOf('\r') >= 0) {
            String s = statement.strip();
            if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) throw KernelError.error("one statement per line");
            statement = s;
        }
        Matcher cat = CAT.matcher(statement);
        if (cat.matches()) {
            out.addAll(cat(cat.group(1)));
            return;
        }
        if (COMPARE.matcher(statement).matches()) {
            out.addAll(compareProfiles());
            return;
        }
        Matcher help = HELP.matcher(statement);
        if (help.matches()) {
            out.addAll(help.group(1) == null ? Help.overview(functions, procFiles.keySet()) : Help.about(help.group(1), functions));
            return;
        }
        Stmt stmt = Parser.parse(statement);
        // 1. type-check the whole statement without calling anything
        new Evaluator(machine, functions, vars, new ArrayList<>(), notes, true).exec(stmt);
        // 2. a statement that changes the machine in more than one step is first run on a copy,
        //    so a failure half-way leaves nothing changed
        if (needsTrialRun(stmt)) {
            Machine trial = machine.copy();
            trial.trace().setEnabled(false);
            new Evaluator(trial, functions, new LinkedHashMap<>(vars), new ArrayList<>(), new ArrayList<>(), false).exec(stmt);
        }
        // 3. the real run
        List<String> printed = new ArrayList<>();
        Value v = new Evaluator(machine, functions, vars, printed, notes, false).exec(stmt);
        out.addAll(machine.drainLog());
        out.addAll(printed);
        if (v != null) {
            out.add(Evaluator.show(machine, v));
            if (v.type() instanceof CType.Int i && i.size() == 8 && !v.hex() && Long.compareUnsigned(v.bits(), 0xffffffffL) > 0) {
                notes.add(String.format("in hex: 0x%016x", v.bits()));
            }
        }
    }

    /** compare_profiles: this console's statements replayed under every kernel profile, one cost row each. */
    private List<String> compareProfiles() {
        List<String> out = new ArrayList<>();
        out.add(org.memdesclab.sim.MemdescCost.tableHeader());
        for (String id : org.memdesclab.sim.KernelProfile.ids()) {
            Console other = replay(machine.config().withProfile(id), history);
            out.add(org.memdesclab.sim.MemdescCost.of(other.machine()).tableRow());
        }
        return out;
    }

    private List<String> cat(String path) {
        var f = procFiles.get(path);
        if (f == null) {
            List<String> zs = ZsFunctions.debugfsClasses(machine, path);
            if (zs != null) return zs;
            throw KernelError.error("cat: " + path + ": No such file or directory (the lab has " + String.join(", ", procFiles.keySet())
                    + ", " + ZsFunctions.DEBUGFS + "POOL/classes for each zsmalloc pool)");
        }
        return f.apply(machine);
    }

    /**
     * True unless the statement has at most one call that can change the machine, at the top (after
     * its arguments are evaluated nothing else can fail): such a call validates before it changes
     * anything, so the statement is atomic already. A for loop always needs one: any iteration may fail.
     */
    private boolean needsTrialRun(Stmt s) {
        if (s instanceof For) return true;
        Expr top = s instanceof ExprStmt e ? e.expr() : s instanceof Assign a ? a.value() : s instanceof Decl d ? d.init() : null;
        if (top == null) return false;
        int mutating = countMutating(top);
        if (mutating == 0) return false;
        if (mutating == 1 && top instanceof Call c && functions.get(c.name()).mutates()) return false;
        return true;
    }

    private int countMutating(Expr e) {
        if (e instanceof Call c) {
            int n = functions.has(c.name()) && functions.get(c.name()).mutates() ? 1 : 0;
            for (Expr a : c.args()) n += countMutating(a);
            return n;
        }
        if (e instanceof Member m) return countMutating(m.base());
        if (e instanceof Unary u) return countMutating(u.operand());
        if (e instanceof Deref d) return countMutating(d.pointer());
        if (e instanceof AddrOf a) return countMutating(a.operand());
        if (e instanceof Binary b) return countMutating(b.left()) + countMutating(b.right());
        if (e instanceof Logical l) return countMutating(l.left()) + countMutating(l.right());
        if (e instanceof Cond c) return countMutating(c.test()) + countMutating(c.then()) + countMutating(c.otherwise());
        if (e instanceof Cast c) return countMutating(c.operand());
        if (e instanceof Index i) return countMutating(i.base()) + countMutating(i.index());
        return 0;
    }
}
