package org.memdesclab.web;

import io.javalin.http.Context;
import io.javalin.rendering.FileRenderer;
import java.util.Map;
import java.util.Set;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.WebContext;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.web.servlet.JakartaServletWebApplication;

/** Renders classpath templates/NAME.html; "NAME :: fragment" renders one th:fragment (htmx partials). */
public final class ThymeleafRenderer implements FileRenderer {
    private final TemplateEngine engine;

    public ThymeleafRenderer(TemplateEngine engine) { this.engine = engine; }

    public static TemplateEngine engine() {
        var r = new ClassLoaderTemplateResolver();
        r.setPrefix("templates/");
        r.setSuffix(".html");
        r.setTemplateMode(TemplateMode.HTML);
        r.setCharacterEncoding("UTF-8");
        r.setCacheable(true);
        var engine = new TemplateEngine();
        engine.setTemplateResolver(r);
        return engine;
    }

    @Override
    @SuppressWarnings("unchecked")
    public String render(String filePath, Map<String, ?> model, Context ctx) {
        var app = JakartaServletWebApplication.buildApplication(ctx.req().getServletContext());
        var ex = app.buildExchange(ctx.req(), ctx.res());
        var c = new WebContext(ex, ex.getLocale(), (Map<String, Object>) model);
        int sep = filePath.indexOf("::");
        return sep < 0 ? engine.process(filePath, c)
                : engine.process(filePath.substring(0, sep).strip(), Set.of(filePath.substring(sep + 2).strip()), c);
    }
}
