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
