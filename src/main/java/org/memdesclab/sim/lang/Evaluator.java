package org.memdesclab.sim.lang;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.Gfp;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.Machine;
import org.memdesclab.sim.Zone;
import org.memdesclab.sim.layout.Field;
import org.memdesclab.sim.layout.FieldKind;
import org.memdesclab.sim.layout.StructLayout;
import org.memdesclab.sim.lang.Ast.*;

/**
 * Type-checks and evaluates one statement. In {@code dry} mode nothing is called and no memory is
 * read: the same code then acts as the type checker, so a statement with a type error is refused
 * before any of its calls run.
 */
final class Evaluator {
    /** A console variable; {@code declared} is the C type it was declared with, or null if assignment created it. */
    record Var(CType declared, Value value) {}

    /** Named constants: GFP flags, allocator limits, address-space bases. */
    static final Map<String, Value> CONSTANTS = constants();

    private static final StructLayout LIST_HEAD = StructLayout.builder("struct list_head", 16)
            .ptr("next", 0, "struct list_head *").ptr("prev", 8, "struct list_head *").build();

    private final Machine machine;
    private final FunctionRegistry functions;
    private final Map<String, Var> vars;
    private final List<String> out;
    private final List<String> notes;
    private boolean dry;
    /** Type-checking a loop: assignments record their (unknown) values so later uses know the variable's type. */
    private boolean recordTypes;
    /** Loop iterations this statement has run (all loops, nested ones included). */
    private int loopSteps;
    private int loopDepth;

    /** Most loop iterations one statement may run; a loop that would run more is refused, changing nothing. */
    static final int MAX_LOOP_STEPS = 4096;

    Evaluator(Machine machine, FunctionRegistry functions, Map<String, Var> vars, List<String> out, List<String> notes,
              boolean dry) {
        this.machine = machine;
        this.functions = functions;
        this.vars = vars;
        this.out = out;
        this.notes = notes;
        this.dry = dry;
    }

    private static Map<String, Value> constants() {
        Map<String, Value> c = new LinkedHashMap<>();
        for (var e : Gfp.constants().entrySet()) c.put(e.getKey(), Value.of(CType.GFP, e.getValue()));
        c.put("NULL", Value.of(CType.VOID_PTR, 0).asNullConstant());
        c.put("true", Value.of(CType.BOOL, 1));
        c.put("false", Value.of(CType.BOOL, 0));
        c.put("MAX_PAGE_ORDER", Value.integer(Zone.MAX_PAGE_ORDER));
        c.put("NR_PAGE_ORDERS", Value.integer(Zone.NR_PAGE_ORDERS));
        c.put("PAGE_ALLOC_COSTLY_ORDER", Value.integer(Zone.PAGE_ALLOC_COSTLY_ORDER));
        c.put("pageblock_order", Value.integer(Zone.PAGEBLOCK_ORDER));
        c.put("pageblock_nr_pages", Value.ulong(1L << Zone.PAGEBLOCK_ORDER));
        c.put("PAGE_SHIFT", Value.integer(Addresses.PAGE_SHIFT));
        c.put("PAGE_SIZE", Value.ulong(Addresses.PAGE_SIZE));
        c.put("PAGE_MASK", Value.ulong(~(Addresses.PAGE_SIZE - 1)));
        c.put("PAGE_OFFSET", Value.ulong(Addresses.PAGE_OFFSET));
        c.put("vmemmap", Value.pointer(CType.PAGE_PTR, Addresses.VMEMMAP_BASE));
        c.put("TAIL_MAPPING", Value.pointer(CType.VOID_PTR, Addresses.TAIL_MAPPING));
        c.put("LIST_POISON1", Value.pointer(CType.VOID_PTR, Addresses.LIST_POISON1));
        c.put("LIST_POISON2", Value.pointer(CType.VOID_PTR, Addresses.LIST_POISON2));
        c.put("POISON_POINTER_DELTA", Value.ulong(Addresses.POISON_POINTER_DELTA));
        CType.Int slabFlags = CType.INT_NAMES.get("slab_flags_t");
        c.put("SLAB_HWCACHE_ALIGN", Value.of(slabFlags, org.memdesclab.sim.Slub.SLAB_HWCACHE_ALIGN).withHex());
        c.put("SLAB_PANIC", Value.of(slabFlags, org.memdesclab.sim.Slub.SLAB_PANIC).withHex());
        c.put("SLAB_TYPESAFE_BY_RCU", Value.of(slabFlags, org.memdesclab.sim.Slub.SLAB_TYPESAFE_BY_RCU).withHex());
        c.put("SLAB_ACCOUNT", Value.of(slabFlags, org.memdesclab.sim.Slub.SLAB_ACCOUNT).withHex());
        c.put("SLAB_NO_MERGE", Value.of(slabFlags, org.memdesclab.sim.Slub.SLAB_NO_MERGE).withHex());
        c.put("ZERO_SIZE_PTR", Value.pointer(CType.VOID_PTR, org.memdesclab.sim.Slub.ZERO_SIZE_PTR));
        c.put("NUMA_NO_NODE", Value.integer(-1));
        c.put("KMALLOC_MAX_CACHE_SIZE", Value.ulong(org.memdesclab.sim.Slub.KMALLOC_MAX_CACHE_SIZE));
        c.putAll(MmFunctions.constants());
        c.putAll(KindFunctions.constants());
        return c;
    }

    /** Longest C string the console reads from simulated memory (kmem_cache names are far shorter). */
    static final int MAX_STRING = 256;

    /**
     * The NUL-terminated string at {@code addr} in simulated memory, byte by byte as C reads it; a
     * KernelError (a page fault or unsimulated memory) if a byte cannot be read.
     */
    static String readCString(Machine machine, long addr) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MAX_STRING; i++) {
            int b = (int) machine.readMemory(addr + i, 1);
            if (b == 0) return sb.toString();
            sb.append((char) b);
        }
        return sb.append("...").toString();
    }

    /**
     * How the console prints a value: {@link Value#format()}, except that a char pointer into
     * simulated memory prints the string it points at, as a debugger does ({@code s->name} is
     * {@code "foo"}); cast it to {@code void *} to see the address.
     */
    static String show(Machine machine, Value v) {
        if (!v.isCharPointer() || v.text() != null || !v.known() || v.bits() == 0) return v.format();
        try {
            return Value.quote(readCString(machine, v.bits()));
        } catch (KernelError e) {
            return v.format() + " <unreadable: " + e.lines().get(0).replaceFirst("^error: ", "") + ">";
        }
    }

    // ---------------------------------------------------------------- statements

    /** Runs a statement; returns the value to print, or null if nothing is printed. */
    Value exec(Stmt s) {
        if (s instanceof Empty) return null;
        if (s instanceof ExprStmt es) {
            Value v = eval(es.expr());
            return v.isVoid() ? null : v;
        }
        if (s instanceof Decl d) {
            checkAssignableName(d.name());
            Value v = d.init() == null ? Value.of(d.type(), 0) : convert(eval(d.init()), d.type(), Action.INIT, false);
            if (!dry || recordTypes) vars.put(d.name(), new Var(d.type(), v));
            return null;
        }
        if (s instanceof For f) {
            runFor(f);
            return null;
        }
        if (s instanceof Block b) {
            for (Stmt x : b.body()) runBody(x);
            return null;
        }
        Assign a = (Assign) s;
        checkAssignableName(a.name());
        Value v = eval(a.value());
        Var old = vars.get(a.name());
        if (old != null && old.declared() != null) {
            v = convert(v, old.declared(), Action.ASSIGN, false);
        } else if (v.isVoid()) {
            throw KernelError.error("assigning to '" + a.name() + "' from incompatible type 'void'");
        }
        if (!dry || recordTypes) vars.put(a.name(), new Var(old == null ? null : old.declared(), v.known() ? stripFlags(v) : v));
        return null;
    }

    // ---------------------------------------------------------------- loops

    /**
     * A for loop, as C runs it: init, then test, body and step until the test is false. A variable
     * declared in init lives only in the loop. Bare expressions in the body print their value on each
     * iteration. Type-checking runs init, test, body and step once on a scratch copy of the variables.
     */
    private void runFor(For f) {
        if (dry) {
            Evaluator check = new Evaluator(machine, functions, new LinkedHashMap<>(vars), new ArrayList<>(), notes, true);
            check.recordTypes = true;
            if (f.init() != null) check.exec(f.init());
            if (f.test() != null) requireScalar(check.eval(f.test()), "for");
            check.exec(f.body());
            if (f.step() != null) check.exec(f.step());
            return;
        }
        String scoped = f.init() instanceof Decl d ? d.name() : null;
        Var shadowed = scoped == null ? null : vars.get(scoped);
        boolean outermost = loopDepth++ == 0;
        int iteration = 0;
        try {
            if (f.init() != null) exec(f.init());
            while (true) {
                if (f.test() != null && eval(f.test()).isZero()) break;
                if (++loopSteps > MAX_LOOP_STEPS) {
                    throw KernelError.error("the loop was stopped after " + MAX_LOOP_STEPS + " iterations: one statement may run "
                            + "at most " + MAX_LOOP_STEPS + " (nothing was changed)");
                }
                iteration++;
                runBody(f.body());
                if (f.step() != null) exec(f.step());
            }
        } catch (KernelError e) {
            if (!outermost || loopSteps > MAX_LOOP_STEPS) throw e;
            List<String> lines = new ArrayList<>(e.lines());
            lines.add((iteration == 0 ? "(before the loop's first iteration" : "(in iteration " + iteration + " of the loop")
                    + "; the whole statement was refused and nothing was changed)");
            throw new KernelError(lines);
        } finally {
            loopDepth--;
            if (scoped != null) {
                if (shadowed == null) vars.remove(scoped);
                else vars.put(scoped, shadowed);
            }
        }
    }

    /** One statement of a loop body; its value, if any, is printed after what its calls logged. */
    private void runBody(Stmt s) {
        int mark = out.size();
        Value v = exec(s);
        if (dry) return;
        out.addAll(mark, machine.drainLog());
        if (v != null) out.add(show(machine, v));
    }

    private static Value stripFlags(Value v) { return v.isString() ? v : new Value(v.type(), v.bits(), true, v.hex(), false, v.text()); }

    private void checkAssignableName(String name) {
        if (CONSTANTS.containsKey(name)) throw KernelError.error("cannot assign to '" + name + "': it is a kernel constant");
        if (functions.has(name)) throw KernelError.error("cannot assign to '" + name + "': it is a kernel function");
        if (Parser.isTypeName(name) || Parser.KEYWORDS.contains(name)) throw KernelError.error("'" + name + "' is a C keyword or type name");
        if (name.equals("help") || name.equals("cat")) throw KernelError.error("'" + name + "' is a console command");
    }

    // ---------------------------------------------------------------- expressions

    Value eval(Expr e) {
        if (e instanceof Num n) {
            Value v = Value.of(n.type(), n.value());
            return n.value() == 0 ? v.asNullConstant() : v;
        }
        if (e instanceof Str s) return Value.string(s.text());
        if (e instanceof Ident id) return ident(id.name());
        if (e instanceof Call c) return call(c);
        if (e instanceof Member m) return member(m);
        if (e instanceof Unary u) return unary(u);
        if (e instanceof Deref d) return deref(eval(d.pointer()));
        if (e instanceof AddrOf a) return addressOf(a.operand());
        if (e instanceof Binary b) return binary(b.op(), eval(b.left()), eval(b.right()));
        if (e instanceof Logical l) return logical(l);
        if (e instanceof Cond c) return conditional(c);
        if (e instanceof Cast c) return cast(eval(c.operand()), c.type());
        if (e instanceof SizeofType st) return Value.of(CType.SIZE_T, sizeOf(st.type()));
        if (e instanceof SizeofExpr se) {
            boolean was = dry;
            dry = true;
            try {
                Value v = eval(se.operand());
                if (v.isString()) return Value.of(CType.SIZE_T, v.text().length() + 1);
                return Value.of(CType.SIZE_T, sizeOf(v.type()));
            } finally {
                dry = was;
            }
        }
        if (e instanceof Offsetof o) {
            StructLayout l = layoutFor(o.type(), "offsetof");
            Field f = resolve(l, o.path());
            return Value.of(CType.SIZE_T, f.offset());
        }
        Index ix = (Index) e;
        return deref(binary("+", eval(ix.base()), eval(ix.index())));
    }

    private Value ident(String name) {
        Var v = vars.get(name);
        if (v != null) return v.value();
        Value c = CONSTANTS.get(name);
        if (c != null) return c;
        FunctionDef f = functions.get(name);
        if (f != null) throw KernelError.error("'" + name + "' is a function: call it, " + f.signature());
        if (Parser.isTypeName(name)) throw KernelError.error("unexpected type name '" + name + "': expected expression");
        suggest(name, true);
        throw KernelError.error("use of undeclared identifier '" + name + "'");
    }

    private void suggest(String name, boolean alsoVars) {
        List<String> cands = new ArrayList<>(functions.names());
        cands.addAll(CONSTANTS.keySet());
        if (alsoVars) cands.addAll(vars.keySet());
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : cands) {
            int d = distance(name.toLowerCase(), c.toLowerCase());
            if (d < bestD) { bestD = d; best = c; }
        }
        if (best != null && bestD <= Math.max(1, name.length() / 3)) notes.add("did you mean '" + best + "'?");
        if (name.equals("page_ref") || name.equals("refcount")) notes.add("page_ref_count(p) reads a page's _refcount");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    private Value call(Call c) {
        FunctionDef f = functions.get(c.name());
        if (f == null) {
            if (vars.containsKey(c.name())) throw KernelError.error("called object type '" + vars.get(c.name()).value().typeName() + "' is not a function or function pointer");
            suggest(c.name(), false);
            throw KernelError.error("call to undeclared function '" + c.name() + "'");
        }
        int n = c.args().size();
        int max = f.params().size();
        if (n < f.minArgs()) {
            throw KernelError.error("too few arguments to function call, expected " + (f.minArgs() < max ? "at least " : "")
                    + f.minArgs() + ", have " + n);
        }
        if (n > max) {
            throw KernelError.error("too many arguments to function call, expected " + (f.minArgs() < max ? "at most " : "") + max
                    + ", have " + n);
        }
        List<Value> args = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Value v = eval(c.args().get(i));
            args.add(convert(v, f.params().get(i).type(), Action.PASS, f.macro()));
        }
        if (dry) return f.returnType() instanceof CType.Void ? Value.VOID : Value.unknown(f.returnType());
        Value r = f.impl().call(new CallContext(machine, out, notes, f.name()), args);
        if (f.returnType() instanceof CType.Void) return Value.VOID;
        return r.type().equals(f.returnType()) ? r : Value.of(f.returnType(), r.bits());
    }

    // ---------------------------------------------------------------- conversions (C's implicit rules)

    enum Action { PASS, INIT, ASSIGN }

    private static String describe(Action a, Value from, CType to) {
        return switch (a) {
            case PASS -> "passing '" + from.typeName() + "' to parameter of type '" + to.spelling() + "'";
            case INIT -> "initializing '" + to.spelling() + "' with an expression of type '" + from.typeName() + "'";
            case ASSIGN -> "assigning to '" + to.spelling() + "' from '" + from.typeName() + "'";
        };
    }

    static Value convert(Value v, CType to, Action a, boolean macro) {
        if (v.isVoid() || v.type() instanceof CType.Agg || v.type() instanceof CType.Struct) {
            String what = switch (a) {
                case PASS -> "passing '" + v.typeName() + "' to parameter of incompatible type '" + to.spelling() + "'";
                case INIT -> "initializing '" + to.spelling() + "' with an expression of incompatible type '" + v.typeName() + "'";
                case ASSIGN -> "assigning to '" + to.spelling() + "' from incompatible type '" + v.typeName() + "'";
            };
            throw KernelError.error(what);
        }
        if (to instanceof CType.Int ti) {
            if (v.isPointer() && !macro) throw KernelError.error("incompatible pointer to integer conversion " + describe(a, v, to));
            return v.known() ? Value.of(ti, v.bits()) : Value.unknown(ti);
        }
        if (to instanceof CType.Ptr tp) {
            if (v.type() instanceof CType.Ptr vp) {
                boolean ok = macro || tp.isVoid() || vp.isVoid() || tp.sameTarget(vp);
                if (!ok) throw KernelError.error("incompatible pointer types " + describe(a, v, to));
                if (v.isString() && tp.sameTarget(CType.STRING)) return v;
                return v.known() ? Value.pointer(tp, v.bits()) : Value.unknown(tp);
            }
            if (!(v.nullConstant() || macro)) throw KernelError.error("incompatible integer to pointer conversion " + describe(a, v, to));
            return v.known() ? Value.pointer(tp, v.bits()) : Value.unknown(tp);
        }
        throw KernelError.error("cannot convert '" + v.typeName() + "' to '" + to.spelling() + "'");
    }

    private Value cast(Value v, CType to) {
        if (to instanceof CType.Void) return Value.VOID;
        if (to instanceof CType.Struct || to instanceof CType.Agg) {
            throw KernelError.error("used type '" + to.spelling() + "' where arithmetic or pointer type is required");
        }
        if (v.isVoid() || v.type() instanceof CType.Agg || v.type() instanceof CType.Struct) {
            throw KernelError.error("operand of type '" + v.typeName() + "' where arithmetic or pointer type is required");
        }
        if (v.isString()) throw KernelError.error("the console cannot take the address of a string literal");
        if (!v.known()) return Value.unknown(to);
        return Value.of(to, v.bits());
    }

    // ---------------------------------------------------------------- operators

    private static void requireScalar(Value v, String op) {
        if (v.isVoid() || v.type() instanceof CType.Agg || v.type() instanceof CType.Struct || v.isString()) {
            throw KernelError.error("invalid operand to '" + op + "' of type '" + v.typeName() + "'");
        }
    }

    private Value unary(Unary u) {
        Value v = eval(u.operand());
        requireScalar(v, u.op());
        if (u.op().equals("!")) return v.known() ? Value.integer(v.isZero() ? 1 : 0) : Value.unknown(CType.INT);
        if (v.isPointer()) throw KernelError.error("invalid argument type '" + v.typeName() + "' to unary expression");
        // gfp_t is __bitwise: ~ on a gfp_t stays a gfp_t (so GFP_KERNEL & ~__GFP_RECLAIM prints as flags)
        CType.Int t = u.op().equals("~") && v.type().equals(CType.GFP) ? CType.GFP : promote((CType.Int) v.type());
        if (!v.known()) return Value.unknown(t);
        return switch (u.op()) {
            case "-" -> Value.of(t, -v.bits());
            case "~" -> Value.of(t, ~v.bits());
            default -> Value.of(t, v.bits());
        };
    }

    /** Integer promotion: types narrower than int (and bool) become int; gfp_t is unsigned int. */
    private static CType.Int promote(CType.Int t) {
        if (t.size() < 4) return CType.INT;
        if (t.size() == 4) return t.signed() ? CType.INT : CType.UINT;
        return t.signed() ? CType.LONG : CType.ULONG;
    }

    /** The usual arithmetic conversions for two integer operands. */
    private static CType.Int common(CType.Int a, CType.Int b) {
        a = promote(a);
        b = promote(b);
        if (a.size() == 8 || b.size() == 8) {
            if ((a.size() == 8 && !a.signed()) || (b.size() == 8 && !b.signed())) return CType.ULONG;
            return CType.LONG;
        }
        return a.signed() && b.signed() ? CType.INT : CType.UINT;
    }

    private String invalid(Value l, Value r) {
        return "invalid operands to binary expression ('" + l.typeName() + "' and '" + r.typeName() + "')";
    }

    Value binary(String op, Value l, Value r) {
        requireScalar(l, op);
        requireScalar(r, op);
        boolean known = l.known() && r.known();
        if (l.isPointer() || r.isPointer()) return pointerBinary(op, l, r, known);
        CType.Int lt = (CType.Int) l.type();
        CType.Int rt = (CType.Int) r.type();
        if (op.equals("<<") || op.equals(">>")) {
            CType.Int t = promote(lt);
            if (!r.known()) return Value.unknown(t);
            long count = r.bits();
            if (rt.signed() && count < 0) throw KernelError.error("shift count is negative");
            if (Long.compareUnsigned(count, t.size() * 8L) >= 0) throw KernelError.error("shift count >= width of type");
            if (!known) return Value.unknown(t);
            long v = op.equals("<<") ? l.bits() << count : t.signed() ? l.bits() >> count : Value.of(t, l.bits()).bits() >>> count;
            return Value.of(t, v);
        }
        CType.Int t = common(lt, rt);
        if (lt.equals(CType.GFP) && rt.equals(CType.GFP) && (op.equals("|") || op.equals("&") || op.equals("^"))) t = CType.GFP;
        boolean cmp = switch (op) { case "==", "!=", "<", "<=", ">", ">=" -> true; default -> false; };
        if ((op.equals("/") || op.equals("%")) && r.known() && r.bits() == 0) {
            throw KernelError.error((op.equals("/") ? "division" : "remainder") + " by zero is undefined");
        }
        if (!known) return Value.unknown(cmp ? CType.INT : t);
        long a = Value.of(t, l.bits()).bits();
        long b = Value.of(t, r.bits()).bits();
        boolean uns = !t.signed();
        if (cmp) return Value.integer(compare(op, a, b, uns) ? 1 : 0);
        long v = switch (op) {
            case "+" -> a + b;
            case "-" -> a - b;
            case "*" -> a * b;
            case "/" -> uns ? Long.divideUnsigned(a, b) : a / b;
            case "%" -> uns ? Long.remainderUnsigned(a, b) : a % b;
            case "&" -> a & b;
            case "|" -> a | b;
            case "^" -> a ^ b;
            default -> throw KernelError.error("unknown operator '" + op + "'");
        };
        return Value.of(t, v);
    }

    private static boolean compare(String op, long a, long b, boolean uns) {
        int c = uns ? Long.compareUnsigned(a, b) : Long.compare(a, b);
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    private Value pointerBinary(String op, Value l, Value r, boolean known) {
        switch (op) {
            case "+" -> {
                if (l.isPointer() && r.isPointer()) throw KernelError.error(invalid(l, r));
                Value p = l.isPointer() ? l : r;
                Value i = l.isPointer() ? r : l;
                long size = elementSize((CType.Ptr) p.type());
                return known ? Value.pointer((CType.Ptr) p.type(), p.bits() + i.bits() * size) : Value.unknown(p.type());
            }
            case "-" -> {
                if (!l.isPointer()) throw KernelError.error(invalid(l, r));
                CType.Ptr lp = (CType.Ptr) l.type();
                long size = elementSize(lp);
                if (r.isPointer()) {
                    if (!lp.sameTarget((CType.Ptr) r.type())) {
                        throw KernelError.error("'" + l.typeName() + "' and '" + r.typeName() + "' are not pointers to compatible types");
                    }
                    return known ? Value.of(CType.LONG, (l.bits() - r.bits()) / size) : Value.unknown(CType.LONG);
                }
                return known ? Value.pointer(lp, l.bits() - r.bits() * size) : Value.unknown(lp);
            }
            case "==", "!=", "<", "<=", ">", ">=" -> {
                if (l.isPointer() && r.isPointer()) {
                    CType.Ptr lp = (CType.Ptr) l.type();
                    CType.Ptr rp = (CType.Ptr) r.type();
                    if (!lp.sameTarget(rp) && !lp.isVoid() && !rp.isVoid()) {
                        notes.add("comparison of distinct pointer types ('" + l.typeName() + "' and '" + r.typeName()
                                + "'): C compilers warn; the addresses are compared");
                    }
                } else {
                    Value i = l.isPointer() ? r : l;
                    if (!i.nullConstant()) {
                        throw KernelError.error("comparison between pointer and integer ('" + l.typeName() + "' and '" + r.typeName() + "')");
                    }
                }
                if (!known) return Value.unknown(CType.INT);
                return Value.integer(compare(op, l.bits(), r.bits(), true) ? 1 : 0);
            }
            default -> throw KernelError.error(invalid(l, r));
        }
    }

    private long elementSize(CType.Ptr p) {
        if (p.isVoid()) return 1;
        // profile hook: struct pages stay 64 bytes apart in the lab's vmemmap, whatever sizeof(struct page) is
        if (p.isStruct("page")) return Addresses.STRUCT_PAGE_SIZE;
        long s = CType.sizeOf(p.target(), machine.profile());
        if (s < 0) throw KernelError.error("arithmetic on a pointer to an incomplete type '" + p.target().spelling() + "'");
        return s;
    }

    private long sizeOf(CType t) {
        if (t instanceof CType.Void) throw KernelError.error("invalid application of 'sizeof' to an incomplete type 'void'");
        long s = CType.sizeOf(t, machine.profile());
        if (s < 0) throw KernelError.error("invalid application of 'sizeof' to an incomplete type '" + t.spelling() + "'");
        return s;
    }

    private Value logical(Logical l) {
        Value a = eval(l.left());
        requireScalar(a, l.op());
        boolean and = l.op().equals("&&");
        if (!dry && a.known() && (and ? a.isZero() : !a.isZero())) return Value.integer(and ? 0 : 1);
        Value b = eval(l.right());
        requireScalar(b, l.op());
        if (!a.known() || !b.known()) return Value.unknown(CType.INT);
        return Value.integer(and ? (!a.isZero() && !b.isZero() ? 1 : 0) : (!a.isZero() || !b.isZero() ? 1 : 0));
    }

    private Value conditional(Cond c) {
        Value t = eval(c.test());
        requireScalar(t, "?:");
        CType type;
        Value chosen = null;
        if (dry || !t.known()) {
            Value a = eval(c.then());
            Value b = eval(c.otherwise());
            type = condType(a, b);
            return Value.unknown(type);
        }
        boolean wasDry = dry;
        dry = true;
        try {
            type = condType(eval(c.then()), eval(c.otherwise()));
        } finally {
            dry = wasDry;
        }
        chosen = eval(t.isZero() ? c.otherwise() : c.then());
        return chosen.isVoid() ? chosen : cast(chosen, type);
    }

    private static CType condType(Value a, Value b) {
        if (a.isInteger() && b.isInteger()) return common((CType.Int) a.type(), (CType.Int) b.type());
        if (a.isPointer() && b.isPointer()) return ((CType.Ptr) a.type()).isVoid() ? b.type() : a.type();
        if (a.isPointer() && b.nullConstant()) return a.type();
        if (b.isPointer() && a.nullConstant()) return b.type();
        if (a.isVoid() && b.isVoid()) return CType.VOID;
        throw KernelError.error("incompatible operand types ('" + a.typeName() + "' and '" + b.typeName() + "')");
    }

    // ---------------------------------------------------------------- memory: ->, *, &

    private StructLayout layoutFor(CType t, String what) {
        if (!(t instanceof CType.Struct s)) {
            throw KernelError.error(what.equals("offsetof") ? "offsetof requires a struct type, not '" + t.spelling() + "'"
                    : "member reference base type '" + t.spelling() + "' is not a structure or union");
        }
        if (s.name().equals("list_head")) return LIST_HEAD;
        StructLayout l = machine.profile().layout(s.name());
        if (l == null) {
            throw KernelError.error("incomplete definition of type 'struct " + s.name() + "' (the " + machine.profile().id()
                    + " profile has no struct " + s.name() + ")");
        }
        return l;
    }

    /** Looks up a (possibly nested) member with a compiler's message for each way it can be missing. */
    private Field resolve(StructLayout l, String path) {
        Field f = l.field(path);
        if (f != null) return f;
        if (path.endsWith(".f") && l.field(path.substring(0, path.length() - 2)) != null
                && l.field(path.substring(0, path.length() - 2)).kind() == FieldKind.FLAGS) {
            return l.field(path.substring(0, path.length() - 2));
        }
        if (path.endsWith(".counter") && l.field(path.substring(0, path.length() - 8)) != null
                && l.field(path.substring(0, path.length() - 8)).ctype().equals("atomic_t")) {
            return l.field(path.substring(0, path.length() - 8));
        }
        // find the longest prefix that is a member
        String owner = l.name();
        String prefix = "";
        String rest = path;
        while (true) {
            int dot = rest.indexOf('.');
            int br = rest.indexOf('[');
            int cut = dot < 0 ? br : br < 0 ? dot : Math.min(dot, br);
            String first = cut < 0 ? rest : rest.substring(0, cut);
            String candidate = prefix.isEmpty() ? first : prefix + "." + first;
            Field pf = l.field(candidate);
            if (pf == null) {
                hintMissing(l, first);
                throw KernelError.error("no member named '" + first + "' in '" + owner + "'");
            }
            if (cut < 0) return pf;
            if (rest.charAt(cut) == '[') {
                String idx = rest.substring(cut, rest.indexOf(']', cut) + 1);
                Field ef = l.field(candidate + idx);
                if (ef == null) throw KernelError.error("subscripted value is not an array ('" + pf.ctype() + "'), or index out of range");
                String after = rest.substring(rest.indexOf(']', cut) + 1);
                if (after.isEmpty()) return ef;
                throw KernelError.error("member reference base type '" + ef.ctype() + "' is not a structure or union");
            }
            if (pf.kind() != FieldKind.AGGREGATE) {
                throw KernelError.error("member reference base type '" + pf.ctype() + "' is not a structure or union");
            }
            owner = pf.ctype();
            prefix = candidate;
            rest = rest.substring(cut + 1);
        }
    }

    private void hintMissing(StructLayout l, String member) {
        if (l.name().equals("struct page") && member.equals("index")) {
            notes.add("6.18 renamed struct page's index to __folio_index (struct folio still calls it index): "
                    + "use page_folio(p)->index, or p->__folio_index");
        } else if (member.equals("compound_order") || member.equals("_folio_order") || member.equals("order")) {
            notes.add("the order of a large folio lives in the low byte of folio->_flags_1: use folio_order() or compound_order()");
        } else if (l.name().equals("struct folio") && member.equals("compound_head")) {
            notes.add("a struct folio is never a tail page, so it has no compound_head; the tails' words are _head_1, _head_2, _head_3");
        } else if (l.name().equals("struct page") && (member.equals("refcount") || member.equals("_count"))) {
            notes.add("the reference count is _refcount (an atomic_t); page_ref_count(p) reads it");
        }
    }

    private Value member(Member m) { return memberOf(eval(m.base()), m.path()); }

    private Value memberOf(Value base, String path) {
        if (path.startsWith(".")) {
            if (base.isPointer()) {
                throw KernelError.error("member reference type '" + base.typeName() + "' is a pointer; did you mean to use '->'?");
            }
            throw KernelError.error("member reference base type '" + base.typeName() + "' is not a structure or union");
        }
        if (!(base.type() instanceof CType.Ptr p)) {
            throw KernelError.error("member reference type '" + base.typeName() + "' is not a pointer");
        }
        if (base.isString()) throw KernelError.error("member reference base type 'const char' is not a structure or union");
        StructLayout l = layoutFor(p.target(), "->");
        int br = path.lastIndexOf('[');
        if (br > 0 && l.field(path) == null && l.field(path.substring(0, br)) != null
                && l.field(path.substring(0, br)).kind() == FieldKind.POINTER) {
            // s->name[1]: a pointer member indexed as C does, *(s->name + 1)
            long idx = Long.parseLong(path.substring(br + 1, path.length() - 1));
            return deref(binary("+", memberOf(base, path.substring(0, br)), Value.of(CType.LONG, idx)));
        }
        Field f = resolve(l, path);
        CType ft = fieldType(f);
        if (dry || !base.known()) return Value.unknown(ft);
        long addr = base.bits() + f.offset();
        if (base.bits() == 0) throw nullDeref(f.offset(), "->" + path);
        boolean pageView = l == machine.profile().page(); // profile hook: struct page reads show the era's words
        if (ft instanceof CType.Agg || ft instanceof CType.Struct) {
            StringBuilder sb = new StringBuilder("{");
            for (int o = 0; o < f.size(); o += 8) {
                int sz = Math.min(8, f.size() - o);
                if (o > 0) sb.append(", ");
                long word = pageView ? machine.readPageView(addr + o, sz) : machine.readMemory(addr + o, sz);
                sb.append(String.format(sz == 8 ? "0x%016x" : "0x%08x", word));
            }
            return Value.aggregate(ft, sb.append('}').toString());
        }
        long raw = pageView ? machine.readPageView(addr, f.size()) : machine.readMemory(addr, f.size());
        Value v = Value.of(ft, f.decode(raw));
        if (f.kind() == FieldKind.FLAGS) v = v.withHex();
        teachAboutRead(base, p, f, v);
        return v;
    }

    private KernelError nullDeref(long offset, String what) {
        return new KernelError(List.of(
                String.format("BUG: kernel NULL pointer dereference, address: %016x", offset),
                "#PF: supervisor read access in kernel mode",
                "#PF: error_code(0x0000) - not-present page",
                "(the console read " + what + " through a NULL pointer)"));
    }

    /** Notes on the classic traps: poison in a tail's mapping, a tail's compound_head word, a folio pointer at a tail. */
    private void teachAboutRead(Value base, CType.Ptr p, Field f, Value v) {
        if (f.name().equals("mapping") && v.bits() == Addresses.TAIL_MAPPING) {
            notes.add("this reads ->mapping of a tail page: TAIL_MAPPING poison (0xdead000000000400), not an address_space; "
                    + "the folio's mapping is page_folio(p)->mapping");
        }
        if (f.offset() == 8 && f.size() == 8 && (v.bits() & 1) != 0 && Addresses.inVmemmap(v.bits())) {
            notes.add(String.format("bit 0 is set: this word is compound_head of a tail page, and the head's struct page is at "
                    + "0x%016x (compound_head() subtracts the 1)", v.bits() - 1));
        }
        if (p.isStruct("folio") && f.offset() >= 0) {
            try {
                long w = machine.readMemory(base.bits() + 8, 8);
                if ((w & 1) != 0) {
                    notes.add("this struct folio * points at a tail page, so its bytes are not a folio's: "
                            + "get the folio with page_folio() instead of a cast");
                }
            } catch (KernelError ignored) {
                // nothing to teach if the word is unreadable
            }
        }
    }

    /** The C type of a member as the console types its value. */
    private static CType fieldType(Field f) {
        switch (f.kind()) {
            case POINTER -> {
                try {
                    CType t = Parser.parseType(f.ctype());
                    return t instanceof CType.Ptr ? t : CType.VOID_PTR;
                } catch (KernelError e) {
                    return CType.VOID_PTR;
                }
            }
            case SIGNED -> { return f.size() == 8 ? CType.LONG : f.size() == 4 ? CType.INT : f.size() == 2
                    ? CType.INT_NAMES.get("short") : CType.INT_NAMES.get("signed char"); }
            case UNSIGNED, FLAGS -> {
                if (f.isBitField()) return CType.UINT;
                return switch (f.size()) {
                    case 8 -> CType.ULONG;
                    case 4 -> CType.UINT;
                    case 2 -> CType.INT_NAMES.get("unsigned short");
                    default -> CType.INT_NAMES.get("unsigned char");
                };
            }
            default -> {
                if (f.ctype().startsWith("struct ") && !f.ctype().contains("[")) return new CType.Struct(f.ctype().substring(7));
                return new CType.Agg(f.ctype(), f.size());
            }
        }
    }

    private Value deref(Value p) {
        if (!(p.type() instanceof CType.Ptr pt)) {
            throw KernelError.error("indirection requires pointer operand ('" + p.typeName() + "' invalid)");
        }
        if (p.isString()) throw KernelError.error("the console does not read string literals through '*'");
        if (pt.isVoid()) throw KernelError.error("incomplete type 'void' is not assignable; cast the pointer before dereferencing it");
        CType t = pt.target();
        if (t instanceof CType.Struct || t instanceof CType.Agg) {
            throw KernelError.error("the console does not print a whole '" + t.spelling() + "': read a member (p->flags) "
                    + "or use dump_page()");
        }
        if (dry || !p.known()) return Value.unknown(t);
        if (p.bits() == 0) throw nullDeref(0, "*pointer");
        long size = CType.sizeOf(t, machine.profile());
        return Value.of(t, machine.readPageView(p.bits(), (int) size));
    }

    private Value addressOf(Expr operand) {
        if (operand instanceof Member m) {
            Value base = eval(m.base());
            if (!(base.type() instanceof CType.Ptr p) || m.path().startsWith(".")) return memberOf(base, m.path());
            StructLayout l = layoutFor(p.target(), "->");
            int br = m.path().lastIndexOf('[');
            if (br > 0 && l.field(m.path()) == null && l.field(m.path().substring(0, br)) != null
                    && l.field(m.path().substring(0, br)).kind() == FieldKind.POINTER) {
                long idx = Long.parseLong(m.path().substring(br + 1, m.path().length() - 1));
                return binary("+", memberOf(base, m.path().substring(0, br)), Value.of(CType.LONG, idx));
            }
            Field f = resolve(l, m.path());
            CType ft = fieldType(f);
            CType.Ptr rt = new CType.Ptr(ft, false);
            return base.known() ? Value.pointer(rt, base.bits() + f.offset()) : Value.unknown(rt);
        }
        if (operand instanceof Deref d) {
            Value v = eval(d.pointer());
            if (!v.isPointer()) throw KernelError.error("indirection requires pointer operand ('" + v.typeName() + "' invalid)");
            return v;
        }
        if (operand instanceof Index ix) return binary("+", eval(ix.base()), eval(ix.index()));
        if (operand instanceof Ident id && vars.containsKey(id.name())) {
            throw KernelError.error("console variables live outside the simulated kernel: they have no address");
        }
        throw KernelError.error("cannot take the address of an rvalue");
    }
}
