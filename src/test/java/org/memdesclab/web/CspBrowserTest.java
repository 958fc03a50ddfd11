package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Content-Security-Policy in real Chromium: every page and every htmx swap works under it and the
 * browser logs no violation; a {@code <script>} statement shows as text and runs nothing; a learner over
 * the statement allowance sees the 429 note in the console and keeps what they typed.
 */
class CspBrowserTest {
    @TempDir
    static Path dir;
    @TempDir
    static Path profile;
    static LabServer server;
    static ChromeDriver d;
    static WebDriverWait wait;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isExecutable(LabBrowserTest.CHROMEDRIVER), "chromium-driver is not installed");
        // 8 statements at once and no refill worth waiting for: the test reaches the limit by counting
        server = LabServer.start(dir, Limits.defaults().withRate(0.001, 8));
        ChromeOptions opts = new ChromeOptions();
        opts.setBinary(new File("/usr/bin/chromium"));
        opts.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        opts.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(LabBrowserTest.CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        d = new ChromeDriver(service, opts);
        wait = new WebDriverWait(d, Duration.ofSeconds(10));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    @AfterAll
    static void stop() {
        if (d != null) d.quit();
        if (server != null) server.close();
    }

    private final List<String> seen = new ArrayList<>();

    private void open(String path) {
        d.get(server.base() + path);
        boolean lab = path.startsWith("/labs/");
        wait.until(x -> Boolean.TRUE.equals(d.executeScript("return document.readyState === 'complete' && (!arguments[0] || !!window.htmx)", lab)));
        collect();
    }

    private void run(String statement) {
        WebElement in = d.findElement(By.id("console-input"));
        in.sendKeys(statement);
        in.sendKeys(Keys.ENTER);
    }

    private int entries() { return d.findElements(By.cssSelector("#console-log .entry")).size(); }

    private void collect() {
        for (LogEntry e : d.manage().logs().get(LogType.BROWSER)) seen.add(e.getLevel() + " " + e.getMessage());
    }

    private void assertNoViolations() {
        collect();
        List<String> csp = seen.stream().filter(m -> m.contains("Content Security Policy") || m.contains("Refused to")).toList();
        assertTrue(csp.isEmpty(), "CSP violations: " + csp);
    }

    private void freshLearner() {
        d.get(server.base() + "/healthz");
        d.manage().deleteAllCookies();
    }

    @Test
    void everyPageAndSwapWorksUnderThePolicyAndAScriptStatementRunsNothing() {
        freshLearner();
        open("/");
        assertEquals("Lessons", d.findElement(By.tagName("h1")).getText());
        open("/labs/first-folio");
        assertTrue((Boolean) d.executeScript("return htmx.config.includeIndicatorStyles === false"), "the meta htmx-config was read");
        assertEquals(0L, d.executeScript("return document.querySelectorAll('style').length"), "no <style> element was injected");
        int n = entries();
        run("p = alloc_pages(GFP_KERNEL, 0)");
        wait.until(x -> entries() == n + 1);
        wait.until(LabBrowserTest.cls("c0", "k-pg"));
        d.findElement(By.id("op-buddyinfo")).click();
        wait.until(x -> entries() == n + 2);
        d.findElement(By.id("c0")).click();
        wait.until(x -> d.findElement(By.id("inspector-body")).getText().contains("PFN 0"));
        run("<script>alert('x')</script>");
        wait.until(x -> entries() == n + 3);
        assertThrows(() -> d.switchTo().alert());
        assertTrue(d.findElement(By.id("console-log")).getText().contains("<script>alert('x')</script>"), "shown as text");
        open("/labs/sandbox");
        open("/labs/first-folio");
        assertTrue(d.findElement(By.id("console-log")).getText().contains("<script>alert('x')</script>"), "the transcript, as text");
        assertThrows(() -> d.switchTo().alert());
        int m = entries();
        d.findElement(By.id("undo")).click();
        wait.until(x -> entries() == m + 1);
        assertNoViolations();
        // the probe itself: an injected <style> element is refused, and the log says so
        d.executeScript("document.head.insertAdjacentHTML('beforeend', '<style>body{background:red}</style>')");
        wait.until(x -> {
            collect();
            return seen.stream().anyMatch(l -> l.contains("Content Security Policy"));
        });
    }

    private Object js(String script, Object... args) { return d.executeScript(script, args); }

    /** Columns of the memmap grid as the browser laid it out (they come from a class, not a style attribute). */
    private long gridColumns() {
        return (Long) js("return getComputedStyle(document.getElementById('memmap')).gridTemplateColumns.trim().split(/\\s+/).length");
    }

    /**
     * No page kind needs a style attribute any more: home, lesson, inspector, sandbox (small and with the
     * overview), the classroom's pages and the dashboard load and swap with no CSP violation, and the sizes
     * the server computes still arrive (grid columns, block outlines, free-list bars, trace indentation).
     */
    @Test
    void everyPageKindHasItsSizesWithoutStyleAttributes() {
        assertFalse(SecurityHeaders.CSP.contains("unsafe-inline"), SecurityHeaders.CSP);
        freshLearner();
        open("/");
        open("/labs/first-folio");
        assertEquals(16L, gridColumns());
        // the free-list bar of the one free block: its data-width in percent of its box
        String bars = "const out = []; document.querySelectorAll('#fl' + arguments[0] + ' .bar').forEach(b => out.push("
                + "[+b.dataset.width, b.getBoundingClientRect().width / b.parentElement.clientWidth * 100])); return out;";
        int n = entries();
        run("f = folio_alloc(GFP_KERNEL, 2)");
        wait.until(x -> entries() == n + 1);
        // the new compound page's outline spans the 4 cells of its row (grid-area set from data-area;
        // the outline's -2px margin puts its border just outside the cells)
        wait.until(x -> !d.findElements(By.cssSelector("#mm-blocks .blk-compound")).isEmpty());
        wait.until(x -> (Boolean) js("const b = document.querySelector('#mm-blocks .blk-compound'), m = /^blk(\\d+)-(\\d+)c$/.exec(b.id),"
                + " c = document.getElementById('c' + m[1]), e = document.getElementById('c' + (+m[1] + (1 << m[2]) - 1));"
                + " if (!b.style.gridArea) return false;"
                + " const r = b.getBoundingClientRect(); return Math.abs(r.left + 2 - c.getBoundingClientRect().left) < 1"
                + " && Math.abs(r.right - 2 - e.getBoundingClientRect().right) < 1"));
        for (int order = 0; order < 11; order++) {
            @SuppressWarnings("unchecked")
            List<List<Number>> rows = (List<List<Number>>) js(bars, order);
            for (List<Number> b : rows) {
                assertEquals(b.get(0).doubleValue(), b.get(1).doubleValue(), 1.0, "free-list bar of order " + order + ": data-width vs drawn width");
            }
        }
        assertTrue(((Number) js("return [...document.querySelectorAll('.bar')].filter(b => b.getBoundingClientRect().width > 0).length")).intValue() > 0,
                "some bar is drawn");
        // the trace: each call indented by its depth (1rem per level), and some call is nested
        @SuppressWarnings("unchecked")
        List<List<Number>> depths = (List<List<Number>>) js("const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);"
                + " return [...document.querySelectorAll('#narration li[data-depth]')].map(li => [+li.dataset.depth, parseFloat(getComputedStyle(li).marginLeft) / rem]);");
        assertFalse(depths.isEmpty(), "the narration lists the calls");
        assertTrue(depths.stream().anyMatch(x -> x.get(0).intValue() > 0), "some call is nested: " + depths);
        for (List<Number> x : depths) assertEquals(x.get(0).doubleValue(), x.get(1).doubleValue(), 0.01, "indentation of a depth-" + x.get(0) + " call");
        // undo swaps the whole history and removes the outline
        d.findElement(By.id("undo")).click();
        wait.until(x -> d.findElements(By.cssSelector("#mm-blocks .blk-compound")).isEmpty());
        open("/labs/first-folio?pfn=0");
        wait.until(x -> d.findElement(By.id("inspector-body")).getText().contains("PFN 0"));
        open("/labs/sandbox");
        assertEquals(16L, gridColumns());
        // a sandbox larger than the window: 32 columns and the overview
        open("/");
        WebElement pages = d.findElement(By.cssSelector(".sandbox-form input[name=pages]"));
        pages.clear();
        pages.sendKeys("8192");
        d.findElement(By.cssSelector(".sandbox-form button[type=submit]")).click();
        wait.until(x -> x.getCurrentUrl().endsWith("/labs/sandbox") && !x.findElements(By.cssSelector(".overview .ov")).isEmpty());
        collect();
        assertEquals(32L, gridColumns());
        assertEquals(2, d.findElements(By.cssSelector(".overview .ov")).size());
        // the classroom: login, teach, a course's dashboard, joining, the learner's course page, a member's history
        server.app.classroom().createFirstAdmin("admin", ClassroomTestSupport.ADMIN_PASSWORD);
        open("/login");
        d.findElement(By.name("username")).sendKeys("admin");
        d.findElement(By.name("password")).sendKeys(ClassroomTestSupport.ADMIN_PASSWORD);
        d.findElement(By.cssSelector("form.stack-form button[type=submit]")).click();
        wait.until(x -> x.getCurrentUrl().endsWith("/teach"));
        collect();
        d.findElement(By.name("title")).sendKeys("CSP 101");
        d.findElement(By.cssSelector("form[action='/teach/courses'] button[type=submit]")).click();
        wait.until(x -> x.getCurrentUrl().contains("/teach/courses/"));
        collect();
        String dashboard = d.getCurrentUrl();
        String code = d.findElement(By.id("join-code")).getText();
        open("/join");
        d.findElement(By.name("code")).sendKeys(code);
        d.findElement(By.name("name")).sendKeys("Ada");
        d.findElement(By.cssSelector("form.stack-form button[type=submit]")).click();
        wait.until(x -> x.getCurrentUrl().contains("/courses/"));
        collect();
        open("/resume");
        open(dashboard.substring(server.base().length()));
        open(dashboard.substring(server.base().length()) + "/members/1/labs/first-folio");
        assertNoViolations();
    }

    @Test
    void aLearnerOverTheAllowanceSeesWhyAndKeepsTheirText() {
        freshLearner();
        open("/labs/first-folio");
        int n = entries();
        for (int i = 0; i < 8; i++) {
            int want = n + i + 1;
            run("cat /proc/buddyinfo");
            wait.until(x -> entries() == want);
        }
        run("q = alloc_pages(GFP_KERNEL, 1)");
        wait.until(x -> d.findElement(By.id("console-log")).getText().contains("Too many statements"));
        assertTrue(d.findElement(By.id("live-summary")).getText().startsWith("Too many statements"));
        assertEquals("q = alloc_pages(GFP_KERNEL, 1)", d.findElement(By.id("console-input")).getAttribute("value"), "the text is kept");
        assertFalse(d.findElement(By.id("c0")).getAttribute("class").contains("k-pg"), "nothing ran");
        assertNoViolations();
    }

    private static void assertThrows(Runnable r) {
        try {
            r.run();
        } catch (NoAlertPresentException expected) {
            return;
        }
        throw new AssertionError("an alert is open: a learner's text ran as script");
    }
}
