package org.memdesclab.sim.lang;

import java.util.List;

/** The syntax tree of one console statement. */
final class Ast {
    private Ast() {}

    sealed interface Expr permits Num, Str, Ident, Call, Member, Unary, Deref, AddrOf, Binary, Logical, Cond, Cast,
            SizeofType, SizeofExpr, Offsetof, Index {}

    record Num(long value, CType type) implements Expr {}

    record Str(String text) implements Expr {}

    record Ident(String name) implements Expr {}

    record Call(String name, List<Expr> args) implements Expr {}

    /** {@code base->path}, where path may be nested ("lru.next", "_mm_id_mapcount[1]"). */
    record Member(Expr base, String path) implements Expr {}

    /** - + ! ~ */
    record Unary(String op, Expr operand) implements Expr {}

    record Deref(Expr pointer) implements Expr {}

    record AddrOf(Expr operand) implements Expr {}

    record Binary(String op, Expr left, Expr right) implements Expr {}

    /** && and ||, which evaluate their right side only when needed. */
    record Logical(String op, Expr left, Expr right) implements Expr {}

    record Cond(Expr test, Expr then, Expr otherwise) implements Expr {}

    record Cast(CType type, Expr operand) implements Expr {}

    record SizeofType(CType type) implements Expr {}

    record SizeofExpr(Expr operand) implements Expr {}

    record Offsetof(CType type, String path) implements Expr {}

    record Index(Expr base, Expr index) implements Expr {}

    sealed interface Stmt permits Empty, ExprStmt, Assign, Decl, For, Block {}

    record Empty() implements Stmt {}

    record ExprStmt(Expr expr) implements Stmt {}

    record Assign(String name, Expr value) implements Stmt {}

    /** A C declaration: {@code struct page *p = expr;} (init may be null). */
    record Decl(CType type, String name, Expr init) implements Stmt {}

    /** {@code for (init; test; step) body}: init, test and step may be null (a missing test is true). */
    record For(Stmt init, Expr test, Stmt step, Stmt body) implements Stmt {}

    /** {@code { s1; s2; }}: the body of a loop. */
    record Block(List<Stmt> body) implements Stmt {}
}
