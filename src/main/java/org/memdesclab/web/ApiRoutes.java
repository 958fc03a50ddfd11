package org.memdesclab.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.memdesclab.lesson.Lesson;
import org.memdesclab.store.JournalEntry;

/**
 * JSON API for scripts and graders, for the learner in the cookie: run a statement, reset, read the
 * machine. Output lines are exactly what the `sim` command prints.
 */
final class ApiRoutes {
    static final int MAX_STATEMENT = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LabService labs;

    ApiRoutes(LabService labs) { this.labs = labs; }

    void register(RoutesConfig r) {
        r.get("/api/v1/labs/{lesson}", this::state);
        r.post("/api/v1/labs/{lesson}/exec", this::exec);
        r.post("/api/v1/labs/{lesson}/reset", this::reset);
    }

    private Lesson lesson(Context ctx) {
        return labs.lesson(ctx.pathParam("lesson")).orElse(null);
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }

    private void state(Context ctx) {
        Lesson l = lesson(ctx);
        if (l == null) {
            error(ctx, 404, "no lesson '" + ctx.pathParam("lesson") + "'");
            return;
        }
        String learner = Learners.of(ctx);
        ctx.json(labs.withLab(learner, l, lab -> {
            Map<String, Object> out = LabModels.stateJson(l, lab);
            out.put("steps", stepsJson(labs.steps(lab, learner)));
            return out;
        }));
    }

    /** Each step's progress, so a script can follow a learner through a lesson as the page does. */
    static List<Map<String, Object>> stepsJson(List<LabService.StepStatus> steps) {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (LabService.StepStatus s : steps) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", s.step().id());
            row.put("title", s.step().title());
            row.put("completed", s.progress().completed());
            row.put("current", s.current());
            row.put("hintsRevealed", s.progress().hintsRevealed());
            row.put("solutionRevealed", s.progress().solutionRevealed());
            row.put("attempts", s.progress().attempts());
            if (s.goal() != null && !s.goal().met()) row.put("reason", s.goal().reason());
            out.add(row);
        }
        return out;
    }

    private void exec(Context ctx) {
        Lesson l = lesson(ctx);
        if (l == null) {
            error(ctx, 404, "no lesson '" + ctx.pathParam("lesson") + "'");
            return;
        }
        String raw = ctx.body(); // a body over the limit throws ContentTooLargeResponse here: 413, not "not JSON"
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (Exception e) {
            error(ctx, 400, "the request body is not valid JSON; send {\"statement\": \"...\"}");
            return;
        }
        JsonNode st = body == null ? null : body.get("statement");
        if (st == null || !st.isTextual() || st.asText().isBlank()) {
            error(ctx, 400, "missing \"statement\": send {\"statement\": \"...\"} with a non-empty string");
            return;
        }
        String s = st.asText().strip();
        if (s.contains("\n")) {
            error(ctx, 400, "one statement per request (the statement contains a line break)");
            return;
        }
        if (s.length() > MAX_STATEMENT) {
            error(ctx, 400, "the statement is longer than " + MAX_STATEMENT + " characters");
            return;
        }
        String learner = Learners.of(ctx);
        LiveLab.Ran r = labs.withLab(learner, l, lab -> {
            LiveLab.Ran x = labs.exec(lab, learner, s);
            labs.steps(lab, learner);
            return x;
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", r.ok());
        out.put("output", r.output());
        ctx.json(out);
    }

    private void reset(Context ctx) {
        Lesson l = lesson(ctx);
        if (l == null) {
            error(ctx, 404, "no lesson '" + ctx.pathParam("lesson") + "'");
            return;
        }
        String learner = Learners.of(ctx);
        labs.withLab(learner, l, lab -> {
            labs.move(lab, learner, JournalEntry.Kind.RESET, null, 0);
            return null;
        });
        ctx.json(Map.of("ok", true, "output", List.of()));
    }
}
