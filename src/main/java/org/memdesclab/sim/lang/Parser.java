package org.memdesclab.sim.lang;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.lang.Ast.*;
import org.memdesclab.sim.lang.Lexer.Kind;
import org.memdesclab.sim.lang.Lexer.Token;

/** A recursive-descent parser for one statement, with C's precedence and a C compiler's messages. */
final class Parser {
    private static final Set<String> TYPE_WORDS = Set.of("struct", "const", "volatile", "void", "unsigned", "signed",
            "long", "int", "short", "char", "_Bool");
    static final Set<String> KEYWORDS = Set.of("struct", "const", "volatile", "void", "unsigned", "signed", "long", "int",
            "short", "char", "_Bool", "sizeof", "if", "else", "while", "for", "do", "return", "switch", "case", "break",
            "continue", "goto", "static", "extern", "typedef", "union", "enum", "register", "auto", "default");

    /** Deepest nesting of parentheses, unary operators, casts, calls and loops one statement may have. */
    static final int MAX_NESTING = 64;

    private final List<Token> toks;
    private int at;
    /** How deep the parser is now: bounded so a pathological statement gets a message, not a stack overflow. */
    private int depth;

    private Parser(List<Token> toks) { this.toks = toks; }

    static Stmt parse(String statement) {
        Parser p = new Parser(Lexer.lex(statement));
        return p.statement();
    }

    /** Parses a C type name on its own, e.g. for function prototypes. */
    static CType parseType(String text) {
        Parser p = new Parser(Lexer.lex(text));
        CType t = p.typeName();
        p.expect(Kind.EOF);
        return t;
    }

    static boolean isTypeName(String word) { return TYPE_WORDS.contains(word) || CType.INT_NAMES.containsKey(word); }

    // ---------------------------------------------------------------- statements

    private Stmt statement() {
        if (peek().kind() == Kind.EOF) return new Empty();
        int k = 0;
        while (peek(k).is(";")) k++;
        if (peek(k).kind() == Kind.EOF) return new Empty();
        Stmt s;
        if (peek().kind() == Kind.IDENT && isTypeName(peek().text())) {
            s = declaration();
        } else if (peek().kind() == Kind.IDENT && peek().text().equals("for")) {
            s = forStatement();
        } else {
            s = simpleStatement(false);
        }
        while (peek().is(";")) next();
        if (peek().kind() != Kind.EOF) {
            if (toks.get(at - 1).is(";")) {
                throw KernelError.error("one statement per line: unexpected " + peek().describe() + " after ';'");
            }
            throw KernelError.error("expected ';' at end of statement, found " + peek().describe());
        }
        return s;
    }

    /** An expression or an assignment; {@code step} also allows i++, i--, ++i and --i (a for loop's step). */
    private Stmt simpleStatement(boolean step) {
        if (step && (peek().is("++") || peek().is("--"))) {
            String op = next().text();
            Expr target = unary();
            return assignment(target, new Binary(op.substring(1), target, new Num(1, CType.INT)));
        }
        Expr e = expression();
        if (peek().is("=")) {
            next();
            Expr rhs = expression();
            return assignment(e, rhs);
        }
        if (peek().kind() == Kind.PUNCT && Set.of("+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=")
                .contains(peek().text())) {
            String op = next().text();
            Expr rhs = expression();
            return assignment(e, new Binary(op.substring(0, op.length() - 1), e, rhs));
        }
        if (peek().is("++") || peek().is("--")) {
            if (step) return assignment(e, new Binary(next().text().substring(1), e, new Num(1, CType.INT)));
            throw KernelError.error("the console has no '" + peek().text() + "'; write x = x " + peek().text().charAt(0) + " 1");
        }
        return new ExprStmt(e);
    }

    /** {@code for (init; test; step) body}, where the body is a statement, a nested for, or a { block }. */
    private Stmt forStatement() {
        next();
        expectPunct("(");
        Stmt init = null;
        if (!peek().is(";")) init = atTypeName() ? declaration() : simpleStatement(false);
        expectPunct(";");
        Expr test = peek().is(";") ? null : expression();
        expectPunct(";");
        Stmt step = peek().is(")") ? null : simpleStatement(true);
        expectPunct(")");
        return new For(init, test, step, loopBody());
    }

    private Stmt loopBody() {
        deeper();
        try {
            return loopBody0();
        } finally {
            depth--;
        }
    }

    private Stmt loopBody0() {
        if (peek().is("{")) {
            next();
            List<Stmt> body = new ArrayList<>();
            while (!peek().is("}")) {
                if (peek().kind() == Kind.EOF) throw KernelError.error("expected '}' at end of the loop body");
                if (peek().is(";")) { next(); continue; }
                body.add(loopBody());
                if (!peek().is("}")) expectPunct(";");
            }
            next();
            return new Block(body);
        }
        if (peek().kind() == Kind.IDENT && peek().text().equals("for")) return forStatement();
        if (atTypeName()) throw KernelError.error("declare variables before the loop: the console's loop bodies have no scope");
        if (peek().is(";") || peek().kind() == Kind.EOF) throw KernelError.error("expected a statement as the loop body");
        return simpleStatement(false);
    }

    private Stmt assignment(Expr target, Expr value) {
        if (target instanceof Ident id) return new Assign(id.name(), value);
        if (target instanceof Member || target instanceof Deref || target instanceof Index) {
            String what = target instanceof Member m ? "the field " + m.path().replace("\u0000", "") : "memory through a pointer";
            throw KernelError.error("cannot assign to " + what + ": the console writes no kernel memory (struct page, "
                    + "struct slab, kmem_cache, ...); change it through the kernel's functions");
        }
        throw KernelError.error("expression is not assignable");
    }

    private Stmt declaration() {
        CType t = typeName();
        Token name = peek();
        if (name.kind() != Kind.IDENT) throw KernelError.error("expected identifier after '" + t.spelling() + "'");
        if (KEYWORDS.contains(name.text())) throw KernelError.error("expected identifier, found keyword '" + name.text() + "'");
        next();
        if (peek().is("(")) throw KernelError.error("the console cannot define functions");
        if (t instanceof CType.Void) throw KernelError.error("variable has incomplete type 'void'");
        if (t instanceof CType.Struct) {
            throw KernelError.error("the console has no struct variables; declare a pointer: " + t.spelling() + " *" + name.text());
        }
        Expr init = null;
        if (peek().is("=")) {
            next();
            init = expression();
        }
        if (peek().is(",")) throw KernelError.error("declare one variable per statement");
        return new Decl(t, name.text(), init);
    }

    // ---------------------------------------------------------------- types

    private boolean atTypeName() { return peek().kind() == Kind.IDENT && isTypeName(peek().text()); }

    CType typeName() {
        boolean isConst = false;
        List<String> words = new ArrayList<>();
        CType base = null;
        while (peek().kind() == Kind.IDENT) {
            String w = peek().text();
            if (w.equals("const") || w.equals("volatile")) { isConst |= w.equals("const"); next(); continue; }
            if (base != null || !words.isEmpty() && !Set.of("unsigned", "signed", "long", "int", "short", "char").contains(w)) break;
            if (w.equals("struct")) {
                if (!words.isEmpty()) throw KernelError.error("cannot combine with previous '" + String.join(" ", words) + "' declaration specifier");
                next();
                Token n = next();
                if (n.kind() != Kind.IDENT) throw KernelError.error("expected identifier after 'struct'");
                base = new CType.Struct(n.text());
            } else if (w.equals("void")) {
                next();
                base = CType.VOID;
            } else if (Set.of("unsigned", "signed", "long", "int", "short", "char").contains(w)) {
                next();
                words.add(w);
            } else if (CType.INT_NAMES.containsKey(w) && words.isEmpty()) {
                next();
                base = CType.INT_NAMES.get(w);
            } else {
                break;
            }
        }
        if (base == null) {
            if (words.isEmpty()) throw KernelError.error("expected a type");
            String spelled = String.join(" ", words);
            base = CType.INT_NAMES.get(spelled);
            if (base == null && words.get(words.size() - 1).equals("int")) {
                base = CType.INT_NAMES.get(String.join(" ", words.subList(0, words.size() - 1)));
            }
            if (base == null) throw KernelError.error("unsupported type '" + spelled + "'");
        }
        CType t = base;
        boolean targetConst = isConst;
        while (peek().is("*")) {
            next();
            t = new CType.Ptr(t, targetConst);
            targetConst = false;
            while (peek().is("const") || peek().is("volatile")) next();
        }
        return t;
    }

    // ---------------------------------------------------------------- expressions

    private Expr expression() {
        Expr e = conditional();
        if (peek().is(",")) throw KernelError.error("the comma operator is not supported by the console");
        return e;
    }

    private Expr conditional() {
        Expr test = binary(0);
        if (!peek().is("?")) return test;
        deeper();
        try {
            return conditionalRest(test);
        } finally {
            depth--;
        }
    }

    private void deeper() {
        if (++depth > MAX_NESTING) {
            throw KernelError.error("statement nested too deeply: the console accepts at most " + MAX_NESTING
                    + " levels of parentheses, operators, casts, calls and loops");
        }
    }

    private Expr conditionalRest(Expr test) {
        next();
        Expr a = expression();
        expectPunct(":");
        Expr b = conditional();
        return new Cond(test, a, b);
    }

    private static final List<Set<String>> LEVELS = List.of(Set.of("||"), Set.of("&&"), Set.of("|"), Set.of("^"),
            Set.of("&"), Set.of("==", "!="), Set.of("<", "<=", ">", ">="), Set.of("<<", ">>"), Set.of("+", "-"),
            Set.of("*", "/", "%"));

    private Expr binary(int level) {
        if (level == LEVELS.size()) return unary();
        Expr left = binary(level + 1);
        while (peek().kind() == Kind.PUNCT && LEVELS.get(level).contains(peek().text())) {
            String op = next().text();
            Expr right = binary(level + 1);
            left = op.equals("&&") || op.equals("||") ? new Logical(op, left, right) : new Binary(op, left, right);
        }
        return left;
    }

    private Expr unary() {
        deeper();
        try {
            return unary0();
        } finally {
            depth--;
        }
    }

    private Expr unary0() {
        Token t = peek();
        if (t.kind() == Kind.PUNCT) {
            switch (t.text()) {
                case "-", "+", "!", "~" -> { next(); return new Unary(t.text(), unary()); }
                case "*" -> { next(); return new Deref(unary()); }
                case "&" -> { next(); return new AddrOf(unary()); }
                case "++", "--" -> throw KernelError.error("the console has no '" + t.text() + "'; write x = x " + t.text().charAt(0) + " 1");
                case "(" -> {
                    if (peek(1).kind() == Kind.IDENT && isTypeName(peek(1).text())) {
                        next();
                        CType type = typeName();
                        expectPunct(")");
                        return new Cast(type, unary());
                    }
                }
                default -> { }
            }
        }
        if (t.is("sizeof")) {
            next();
            if (peek().is("(") && peek(1).kind() == Kind.IDENT && isTypeName(peek(1).text())) {
                next();
                CType type = typeName();
                expectPunct(")");
                return new SizeofType(type);
            }
            return new SizeofExpr(unary());
        }
        return postfix(primary());
    }

    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.is("->")) {
                next();
                e = new Member(e, memberName());
            } else if (t.is(".")) {
                next();
                String name = memberName();
                if (e instanceof Member m) e = new Member(m.base(), m.path() + "." + name);
                else if (e instanceof Deref d) e = new Member(d.pointer(), name);
                else if (e instanceof Index ix) e = new Member(new Binary("+", ix.base(), ix.index()), name);
                else e = new Member(e, "." + name);
            } else if (t.is("[")) {
                next();
                Expr idx = expression();
                expectPunct("]");
                if (e instanceof Member m && idx instanceof Num n) e = new Member(m.base(), m.path() + "[" + n.value() + "]");
                else e = new Index(e, idx);
            } else if (t.is("(")) {
                throw KernelError.error("called object is not a function");
            } else {
                return e;
            }
        }
    }

    private String memberName() {
        Token n = next();
        if (n.kind() != Kind.IDENT) throw KernelError.error("expected identifier after member access, found " + n.describe());
        return n.text();
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case NUMBER -> { return new Num(t.value(), t.type()); }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) sb.append(next().text());
                return new Str(sb.toString());
            }
            case IDENT -> {
                if (t.text().equals("offsetof") && peek().is("(")) return offsetof();
                if (KEYWORDS.contains(t.text())) throw KernelError.error("expected expression, found keyword '" + t.text() + "'");
                if (peek().is("(")) {
                    next();
                    List<Expr> args = new ArrayList<>();
                    if (!peek().is(")")) {
                        args.add(conditional());
                        while (peek().is(",")) {
                            next();
                            args.add(conditional());
                        }
                    }
                    expectPunct(")");
                    return new Call(t.text(), args);
                }
                return new Ident(t.text());
            }
            case PUNCT -> {
                if (t.is("(")) {
                    Expr e = expression();
                    expectPunct(")");
                    return e;
                }
                throw KernelError.error("expected expression");
            }
            default -> throw KernelError.error("expected expression");
        }
    }

    private Expr offsetof() {
        expectPunct("(");
        CType type = typeName();
        expectPunct(",");
        StringBuilder path = new StringBuilder(memberName());
        while (peek().is(".") || peek().is("[")) {
            if (next().is(".")) {
                path.append('.').append(memberName());
            } else {
                Token n = next();
                if (n.kind() != Kind.NUMBER) throw KernelError.error("array index in offsetof must be a constant");
                path.append('[').append(n.value()).append(']');
                expectPunct("]");
            }
        }
        expectPunct(")");
        return new Offsetof(type, path.toString());
    }

    // ---------------------------------------------------------------- tokens

    private Token peek() { return toks.get(at); }

    private Token peek(int k) { return toks.get(Math.min(at + k, toks.size() - 1)); }

    private Token next() {
        Token t = toks.get(at);
        if (t.kind() != Kind.EOF) at++;
        return t;
    }

    private void expectPunct(String p) {
        if (!peek().is(p)) throw KernelError.error("expected '" + p + "', found " + peek().describe());
        next();
    }

    private void expect(Kind k) {
        if (peek().kind() != k) throw KernelError.error("unexpected " + peek().describe());
    }
}
