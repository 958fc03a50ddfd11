package org.memdesclab.cli;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.memdesclab.store.Database;
import org.memdesclab.web.App;
import org.memdesclab.web.LessonWiring;
import org.memdesclab.web.Limits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve}: the web lab with an embedded H2 database (or PostgreSQL by URL). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the lab in the browser: open http://localhost:7070/ after it starts.", "",
                "Learners are identified by a cookie. Their statements, undo/redo and progress are kept in the database, "
                        + "so a restart loses nothing."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "7070", description = "HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--data", defaultValue = "data", paramLabel = "DIR",
            description = "Folder for the embedded H2 database (default: ./${DEFAULT-VALUE}). Ignored with --db.")
    Path data;

    @Option(names = "--db", paramLabel = "JDBC_URL",
            description = "Database URL instead of the embedded one, e.g. jdbc:postgresql://host/memdesc?user=lab&password=...")
    String db;

    @Option(names = "--content", paramLabel = "DIR",
            description = "Read lessons from this folder instead of the jar, reloading them when they change (for authors).")
    Path content;

    @Option(names = "--idle", defaultValue = "10", paramLabel = "MINUTES",
            description = "A learner's machine unused this long leaves memory; it is rebuilt from the journal when they come back "
                    + "(default: ${DEFAULT-VALUE}).")
    int idleMinutes;

    @Option(names = "--max-machines", defaultValue = "5000", paramLabel = "N",
            description = "At most N live machines in memory; the least recently used leaves first, nothing saved is lost "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxMachines;

    @Option(names = "--max-pages", defaultValue = "8388608", paramLabel = "N",
            description = "Live machines together weigh at most N: each its simulated pages plus 1,024; one unit is about 64 bytes "
                    + "of heap (default: ${DEFAULT-VALUE}, 8 Mi, about 512 MB).")
    long maxPages;

    @Option(names = "--backup-dir", paramLabel = "DIR",
            description = "Back up the embedded H2 database into DIR while serving (a zip per backup, named by UTC time). "
                    + "Not with --db: back up PostgreSQL with pg_dump.")
    Path backupDir;

    @Option(names = "--backup-every", defaultValue = "60", paramLabel = "MINUTES",
            description = "Minutes between backups with --backup-dir (default: ${DEFAULT-VALUE}).")
    int backupMinutes;
    @Option(names = "--max-body", defaultValue = "65536", paramLabel = "BYTES",
            description = "Largest request body; a bigger one gets 413 and nothing is run (default: ${DEFAULT-VALUE}, 64 KiB; "
                    + "1024 to 16777216).")
    int maxBody;

    @Option(names = "--statements-per-second", defaultValue = "20", paramLabel = "N",
            description = "How fast each learner's statement allowance refills; faster gets 429 and nothing is run "
                    + "(default: ${DEFAULT-VALUE}; may be a fraction, e.g. 0.5; at most 10000).")
    double statementsPerSecond;

    @Option(names = "--statement-burst", defaultValue = "120", paramLabel = "N",
            description = "How many statements a learner may send at once before the refill rate applies "
                    + "(default: ${DEFAULT-VALUE}; 1 to 100000).")
    int statementBurst;

    @Option(names = "--admin-password-file", paramLabel = "FILE",
            description = "At first start, create the administrator 'admin' with the password on this file's first line "
                    + "(instead of the one-time setup link that serve prints).")
    Path adminPasswordFile;

    @Override
    public Integer call() {
        String bad = idleMinutes < 1 ? "--idle must be at least 1 minute, not " + idleMinutes
                : maxMachines < 1 ? "--max-machines must be at least 1, not " + maxMachines
                : maxPages < 1024 ? "--max-pages must be at least 1024, not " + maxPages
                : backupMinutes < 1 ? "--backup-every must be at least 1 minute, not " + backupMinutes
                : limitsProblem() != null ? limitsProblem()
                : backupDir != null && db != null ? "--backup-dir backs up the embedded H2 database; with --db, back up PostgreSQL with pg_dump"
                : null;
        if (bad != null) {
            System.err.println("memdesc-lab serve: " + bad);
            return 2;
        }
        HikariDataSource ds = null;
        App app;
        try {
            String url = db;
            if (url == null) {
                Files.createDirectories(data);
                url = Database.h2Url(data);
            }
            if (content != null && !Files.isDirectory(content)) {
                throw new IllegalArgumentException("--content " + content + " is not a folder");
            }
            // read and parse the lessons on a second thread while the database opens and migrates
            Path lessonDir = content;
            java.util.concurrent.CompletableFuture<LessonWiring> lessons =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> LessonWiring.standard(lessonDir), ServeCommand::startThread);
            ds = Database.pool(url);
            app = App.start(ds, port, App.Options.of(lessons.join())
                    .withLimits(maxPages, java.time.Duration.ofMinutes(idleMinutes))
                    .withMaxMachines(maxMachines), limits());
            firstAdmin(app);
        } catch (Exception e) {
            System.err.println("memdesc-lab serve: could not start: " + rootMessage(e));
            if (String.valueOf(rootMessage(e)).contains("locked")) {
                System.err.println("Another memdesc-lab may be using " + data.toAbsolutePath() + "; stop it or pass --data DIR.");
            }
            if (ds != null) ds.close();
            System.exit(1);
            return 1;
        }
        HikariDataSource pool = ds;
        System.out.println("Memdesc Lab is running on http://localhost:" + app.port() + "/  (Ctrl+C stops it)");
        if (backupDir != null) scheduleBackups(pool, Database.h2Url(data));
        if (app.classroom().setupPath() != null) {
            System.out.println("No instructor account exists yet. To create the first administrator, open (once):");
            System.out.println("    http://localhost:" + app.port() + app.classroom().setupPath());
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            pool.close();
            stop.countDown();
        }, "memdesc-lab-shutdown"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Why --max-body, --statements-per-second or --statement-burst cannot be used, or null if they can. */
    String limitsProblem() {
        if (maxBody < 1024 || maxBody > 16 << 20) return "--max-body must be from 1024 to 16777216 bytes, not " + maxBody;
        if (!(statementsPerSecond > 0) || statementsPerSecond > 10_000 || Double.isNaN(statementsPerSecond)) {
            return "--statements-per-second must be more than 0 and at most 10000, not " + statementsPerSecond;
        }
        if (statementBurst < 1 || statementBurst > 100_000) return "--statement-burst must be from 1 to 100000, not " + statementBurst;
        return null;
    }

    /** The request limits the options ask for (check {@link #limitsProblem()} first). */
    Limits limits() { return new Limits(maxBody, statementsPerSecond, statementBurst); }

    /** Online H2 backups on a daemon thread; a failed backup is reported and the next one still runs. */
    private void scheduleBackups(HikariDataSource pool, String url) {
        var timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memdesc-lab-backup");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            try {
                System.out.println("Backed up the database to "
                        + org.memdesclab.store.Backup.h2(pool, url, backupDir, java.time.Instant.now()));
            } catch (RuntimeException e) {
                System.err.println("memdesc-lab serve: backup failed: " + rootMessage(e));
            }
        }, backupMinutes, backupMinutes, java.util.concurrent.TimeUnit.MINUTES);
        System.out.println("Backing up the database to " + backupDir.toAbsolutePath() + " every " + backupMinutes + " minutes");
    }

    /** --admin-password-file: the first administrator, 'admin', unless an instructor exists already. */
    private void firstAdmin(App app) throws java.io.IOException {
        if (adminPasswordFile == null || app.classroom().hasInstructors()) return;
        java.util.List<String> lines = Files.readAllLines(adminPasswordFile);
        String password = lines.isEmpty() ? "" : lines.get(0).strip();
        try {
            app.classroom().createFirstAdmin("admin", password);
        } catch (IllegalArgumentException e) {
            app.close();
            throw new IllegalArgumentException("--admin-password-file " + adminPasswordFile + ": " + e.getMessage());
        }
        System.out.println("Created the administrator 'admin' with the password from " + adminPasswordFile + ".");
    }

    private static void startThread(Runnable r) {
        Thread t = new Thread(r, "memdesc-lab-lessons");
        t.setDaemon(true);
        t.start();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
