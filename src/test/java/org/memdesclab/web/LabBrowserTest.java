package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The lab in real Chromium (Debian's chromium and chromium-driver, no Selenium Manager): run a statement
 * and see the memmap and console change, undo, hints, the solution, the keyboard grid, a completed step,
 * and axe-core finding no serious or critical violations. Screenshots go to target/screenshots/.
 */
class LabBrowserTest {
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path dir;
    @TempDir
    static Path profile;
    static LabServer server;
    static WebDriver d;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER), "chromium-driver is not installed");
        server = LabServer.start(dir);
        ChromeOptions opts = new ChromeOptions();
        opts.setBinary(new File("/usr/bin/chromium"));
        opts.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        d = new ChromeDriver(service, opts);
        wait = new WebDriverWait(d, Duration.ofSeconds(10));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stop() {
        if (d != null) d.quit();
        if (server != null) server.close();
    }

    @BeforeEach
    void freshLearner() {
        d.get(server.base() + "/healthz");
        d.manage().deleteAllCookies();
    }

    void open(String path) {
        d.get(server.base() + path);
        boolean lab = path.startsWith("/labs/");
        wait.until(x -> Boolean.TRUE.equals(((ChromeDriver) x).executeScript(
                "return document.readyState === 'complete' && (!arguments[0] || !!window.htmx)", lab)));
    }

    void type(String statement) {
        WebElement in = d.findElement(By.id("console-input"));
        in.sendKeys(statement);
        in.sendKeys(Keys.ENTER);
    }

    static void shot(String name) throws IOException {
        Files.copy(((ChromeDriver) d).getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    static ExpectedCondition cls(String id, String cls) {
        return new ExpectedCondition(id, cls);
    }

    /** Waits until element {@code id} has class {@code cls}. */
    record ExpectedCondition(String id, String cls) implements java.util.function.Function<WebDriver, Boolean> {
        @Override
        public Boolean apply(WebDriver w) {
            List<WebElement> e = w.findElements(By.id(id));
            return !e.isEmpty() && (" " + e.get(0).getAttribute("class") + " ").contains(" " + cls + " ");
        }
    }

    @Test
    void aStatementChangesTheCellsEchoesInTheConsoleAndCompletesTheStep() throws IOException {
        open("/labs/first-folio");
        assertTrue(d.findElement(By.id("c0")).getAttribute("class").contains("k-fh"));
        type("f = folio_alloc(GFP_KERNEL, 2)");
        wait.until(cls("c0", "k-hd"));
        assertEquals("H", d.findElement(By.cssSelector("#c0 b")).getText());
        assertEquals("T", d.findElement(By.cssSelector("#c3 b")).getText());
        assertEquals("PFN 3: tail page of the compound page at PFN 0", d.findElement(By.id("c3")).getAttribute("aria-label"));
        assertTrue(d.findElement(By.id("console-log")).getText().contains("f = folio_alloc(GFP_KERNEL, 2)"));
        assertTrue(d.findElement(By.id("live-summary")).getText().startsWith("Ran f = folio_alloc(GFP_KERNEL, 2)"));
        wait.until(cls("step-alloc-folio", "done"));
        assertTrue(d.findElement(By.id("stepcount")).getText().startsWith("1 of 2"));
        assertTrue(d.findElement(By.id("narration")).getText().contains("prep_compound_page"));
        assertEquals("", d.findElement(By.id("console-input")).getAttribute("value"), "the input is cleared after a run");
        assertTrue(d.findElement(By.id("fl2")).getText().contains("PFN 4"), "the order-2 free list row was swapped in");
        assertTrue(d.findElement(By.id("fo0")).getText().startsWith("0 folio 2 1"), "the folio table was swapped in");
        assertTrue(d.findElement(By.id("h1")).getAttribute("class").contains("h-current"));
        type("cat /proc/buddyinfo");
        wait.until(cls("step-buddyinfo", "done"));
        assertTrue(d.findElement(By.id("console-log")).getText().contains("Node 0, zone   Normal"));
        shot("lesson-after-statements");
    }

    @Test
    void undoPutsTheMachineBackAndRedoReplaysIt() throws IOException {
        open("/labs/first-folio");
        type("p = alloc_pages(GFP_KERNEL, 0)");
        wait.until(cls("c0", "k-pg"));
        d.findElement(By.id("undo")).click();
        wait.until(cls("c0", "k-fh"));
        assertEquals("B6", d.findElement(By.cssSelector("#c0 b")).getText());
        wait.until(cls("h1", "h-undone"));
        d.findElement(By.id("redo")).click();
        wait.until(cls("c0", "k-pg"));
        d.findElement(By.id("hb0")).click();
        wait.until(cls("c0", "k-fh"));
        shot("lesson-after-undo");
    }

    @Test
    void aHintIsRevealedOneTierAtATimeAndTheSolutionLandsInTheConsole() throws IOException {
        open("/labs/first-folio");
        d.findElement(By.id("hint-btn-alloc-folio")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("hint-alloc-folio-1")));
        assertTrue(d.findElement(By.id("hint-alloc-folio-1")).getText().contains("2n pages"));
        assertTrue(d.findElements(By.id("hint-alloc-folio-2")).isEmpty());
        assertEquals("hint-alloc-folio-1", d.switchTo().activeElement().getAttribute("id"), "focus moves to the new hint");
        d.findElement(By.id("solution-btn-alloc-folio")).click();
        wait.until(x -> "f = folio_alloc(GFP_KERNEL, 2)".equals(x.findElement(By.id("console-input")).getAttribute("value")));
        shot("lesson-hint-and-solution");
    }

    @Test
    void theMemmapIsOneTabStopWithArrowKeysAndEnterOpensTheInspector() {
        open("/labs/first-folio");
        assertEquals(1, d.findElements(By.cssSelector("#memmap [tabindex='0']")).size(), "one tab stop");
        WebElement c0 = d.findElement(By.id("c0"));
        c0.sendKeys(Keys.ARROW_RIGHT);
        assertEquals("c1", d.switchTo().activeElement().getAttribute("id"));
        d.switchTo().activeElement().sendKeys(Keys.ARROW_DOWN);
        assertEquals("c17", d.switchTo().activeElement().getAttribute("id"));
        d.switchTo().activeElement().sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("inspector-body"), "PFN 17"));
        assertEquals(1, d.findElements(By.cssSelector("#memmap [tabindex='0']")).size());
        assertEquals("17", d.findElement(By.id("mm-selected")).getAttribute("value"));
    }

    @Test
    void theConsoleCompletesNamesWithTabAndRecallsStatementsWithUp() {
        open("/labs/first-folio");
        WebElement in = d.findElement(By.id("console-input"));
        in.sendKeys("folio_al");
        in.sendKeys(Keys.TAB);
        assertEquals("folio_alloc(", in.getAttribute("value"));
        in.sendKeys("GFP_KERNEL, 1)");
        in.sendKeys(Keys.ENTER);
        wait.until(cls("c0", "k-hd"));
        in.sendKeys(Keys.ARROW_UP);
        assertEquals("folio_alloc(GFP_KERNEL, 1)", in.getAttribute("value"));
        in.sendKeys(Keys.ARROW_DOWN);
        assertEquals("", in.getAttribute("value"));
    }

    @Test
    void quickButtonsPostTheStatementAndFreeSelectedFreesTheInspectedPage() {
        open("/labs/first-folio");
        d.findElement(By.id("op-folio-2")).click();
        wait.until(cls("c0", "k-hd"));
        assertTrue(d.findElement(By.id("console-log")).getText().contains("f1 = folio_alloc(GFP_KERNEL, 2)"));
        d.findElement(By.id("c2")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("inspector-body"), "PFN 2"));
        d.findElement(By.id("op-alloc-0")).click();
        wait.until(x -> !x.findElements(By.id("fo4")).isEmpty());
        assertEquals(List.of("fo0", "fo4"), d.findElements(By.cssSelector("#folio-rows tr:not([hidden])")).stream()
                .map(e -> e.getAttribute("id")).toList(), "the new row is inserted in PFN order");
        d.findElement(By.id("op-free")).click();
        wait.until(cls("c0", "k-fh"));
        wait.until(x -> x.findElements(By.id("fo0")).isEmpty());
        assertEquals(List.of("fo4"), d.findElements(By.cssSelector("#folio-rows tr:not([hidden])")).stream()
                .map(e -> e.getAttribute("id")).toList());
        assertTrue(d.findElement(By.id("console-log")).getText().contains("folio_put(page_folio(pfn_to_page(0)))"));
    }

    @Test
    void axeFindsNoSeriousOrCriticalViolationsOnTheLessonPageAndHome() throws IOException {
        open("/labs/first-folio");
        type("f = folio_alloc(GFP_KERNEL, 2)");
        wait.until(cls("c0", "k-hd"));
        d.findElement(By.id("c1")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("inspector-body"), "PFN 1"));
        d.findElement(By.id("hint-btn-buddyinfo")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("hint-buddyinfo-1")));
        assertNoSeriousViolations("lesson page");
        shot("lesson-axe");
        open("/");
        assertNoSeriousViolations("home page");
        shot("home");
    }

    @Test
    void aPackagedLessonPassesAxeAndItsQuestionsAreAnsweredInPlace(@TempDir Path realDir) throws IOException {
        try (LabServer real = LabServer.withRealLessons(realDir)) {
            d.get(real.base() + "/labs/memmap");
            wait.until(x -> Boolean.TRUE.equals(((ChromeDriver) x).executeScript("return !!window.htmx")));
            assertEquals("R", d.findElement(By.cssSelector("#c0 b")).getText(), "the memmap lesson reserves PFNs 0-1");
            type("sizeof(struct page)");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("console-log"), "64"));
            WebElement form = d.findElement(By.cssSelector("form.question"));
            form.findElements(By.cssSelector("input[type=radio]")).get(1).click();
            form.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(ExpectedConditions.textToBePresentInElement(form.findElement(By.cssSelector(".q-result")), "Right"));
            assertNoSeriousViolations("the memmap lesson");
            shot("memmap-lesson");
        }
    }

    /** The current step's card starts inside the visible part of the prose column, which has scrolled to it. */
    static boolean stepInView(String id) {
        return Boolean.TRUE.equals(((ChromeDriver) d).executeScript("""
                const p = document.querySelector('.prose'), s = document.getElementById(arguments[0]);
                if (!p || !s) return false;
                const a = p.getBoundingClientRect(), b = s.getBoundingClientRect();
                return p.scrollTop > 0 && b.top >= a.top && b.top < a.bottom;""", id));
    }

    @Test
    void theProseColumnShowsTheCurrentStepWhenAStepCompletesAndAfterAReload(@TempDir Path realDir) {
        try (LabServer real = LabServer.withRealLessons(realDir)) {
            d.get(real.base() + "/labs/capstone");
            wait.until(x -> Boolean.TRUE.equals(((ChromeDriver) x).executeScript("return !!window.htmx")));
            assertEquals(0L, ((Number) ((ChromeDriver) d).executeScript("return document.querySelector('.prose').scrollTop")).longValue(),
                    "on the first step the introduction stays in view");
            type("big = folio_alloc(GFP_KERNEL, 4)");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("console-log"), "page allocation failure: order:4"));
            type("cat /proc/buddyinfo");
            wait.until(cls("step-symptom", "done"));
            wait.until(x -> stepInView("step-free-lists"));
            d.navigate().refresh();
            wait.until(x -> Boolean.TRUE.equals(((ChromeDriver) x).executeScript("return !!window.htmx")));
            assertTrue(stepInView("step-free-lists"), "after a reload the current step is in view");
        }
    }

    @Test
    void inDarkModeAxeFindsNoSeriousOrCriticalViolationsEither(@TempDir Path darkProfile) throws IOException {
        ChromeOptions opts = new ChromeOptions();
        opts.setBinary(new File("/usr/bin/chromium"));
        opts.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-sync", "--user-data-dir=" + darkProfile, "--window-size=820,1180", "--force-dark-mode",
                "--blink-settings=preferredColorScheme=0");
        WebDriver light = d;
        d = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), opts);
        try {
            d.get(server.base() + "/labs/first-folio?pfn=2");
            new WebDriverWait(d, Duration.ofSeconds(10)).until(x -> Boolean.TRUE.equals(((ChromeDriver) x).executeScript(
                    "return matchMedia('(prefers-color-scheme: dark)').matches && !!window.htmx")));
            d.findElement(By.id("op-folio-2")).click();
            new WebDriverWait(d, Duration.ofSeconds(10)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(cls("c0", "k-hd"));
            assertNoSeriousViolations("the lesson page in dark mode at tablet width");
            shot("lesson-dark-tablet");
        } finally {
            d.quit();
            d = light;
        }
    }

    static void assertNoSeriousViolations(String where) {
        Results r = new AxeBuilder().analyze(d);
        List<Rule> bad = r.getViolations().stream().filter(v -> "serious".equals(v.getImpact()) || "critical".equals(v.getImpact()))
                .collect(Collectors.toList());
        String report = bad.stream().map(v -> v.getImpact() + " " + v.getId() + ": " + v.getHelp() + " at "
                + v.getNodes().stream().limit(3).map(n -> String.valueOf(n.getTarget())).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n"));
        assertTrue(bad.isEmpty(), where + ":\n" + report);
    }
}
