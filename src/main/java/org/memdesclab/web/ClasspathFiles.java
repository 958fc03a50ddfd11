package org.memdesclab.web;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files from a folder of the class path (our stylesheets and scripts, the htmx webjar), read once and kept in
 * memory with an ETag. Javalin's own static-file handler mounts the whole jar as a Jetty resource at start,
 * which cost a third of a second of {@code serve}'s start-up for three small files.
 */
final class ClasspathFiles {
    private static final Map<String, String> TYPES = Map.of(
            "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8", "map", "application/json",
            "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon", "woff2", "font/woff2", "txt", "text/plain; charset=utf-8");

    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("[A-Za-z0-9._@+-]+");

    private final String hostedPath;
    private final String folder;
    private final String cacheControl;
    private final Map<String, File> files = new ConcurrentHashMap<>(); // found files only: misses are not kept

    private record File(byte[] bytes, String type, String etag) {}

    /**
     * @param hostedPath   the URL prefix, e.g. {@code /static}
     * @param folder       the class-path folder it maps to, e.g. {@code static}
     * @param cacheControl the Cache-Control header of every file
     */
    ClasspathFiles(String hostedPath, String folder, String cacheControl) {
        this.hostedPath = hostedPath;
        this.folder = folder;
        this.cacheControl = cacheControl;
    }

    void serve(Context ctx) {
        String rest = ctx.path().substring(hostedPath.length());
        File f = safe(rest) ? find(rest) : null;
        if (f == null) throw new NotFoundResponse();
        ctx.header("Cache-Control", cacheControl);
        ctx.header("ETag", f.etag());
        if (f.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(f.type());
        ctx.result(f.bytes());
    }

    /** Only plain names below the folder: no "..", no encoded characters, no empty or hidden segments. */
    private static boolean safe(String rest) {
        if (!rest.startsWith("/") || rest.length() > 200) return false;
        for (String segment : rest.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.startsWith(".") || !SEGMENT.matcher(segment).matches()) return false;
        }
        return TYPES.containsKey(extension(rest));
    }

    private File find(String rest) {
        File f = files.get(rest);
        if (f == null) {
            f = read(rest);
            if (f != null) files.put(rest, f);
        }
        return f;
    }

    /** The file from the class path, or null if there is none. */
    private File read(String rest) {
        try (InputStream in = ClasspathFiles.class.getResourceAsStream("/" + folder + rest)) {
            if (in == null) return null;
            byte[] bytes = in.readAllBytes();
            return new File(bytes, TYPES.get(extension(rest)), etag(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
