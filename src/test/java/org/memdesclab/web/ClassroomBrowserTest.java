package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in real Chromium: an instructor logs in and creates a course in the browser, a learner
 * (a second, HTTP, client) joins and works, and the open dashboard shows it by itself through htmx
 * polling, without a reload; a cell opens the learner's console; axe-core finds no serious violations.
 */
class ClassroomBrowserTest {
    @TempDir
    static Path dir;
    @TempDir
    static Path profile;
    static LabServer server;
    static WebDriver d;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(LabBrowserTest.CHROMEDRIVER), "chromium-driver is not installed");
        server = LabServer.start(dir);
        ChromeOptions opts = new ChromeOptions();
        opts.setBinary(new File("/usr/bin/chromium"));
        opts.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(LabBrowserTest.CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        d = new ChromeDriver(service, opts);
        LabBrowserTest.d = d;
        wait = new WebDriverWait(d, Duration.ofSeconds(20));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        Files.createDirectories(LabBrowserTest.SHOTS);
    }

    @AfterAll
    static void stop() {
        if (d != null) d.quit();
        LabBrowserTest.d = null;
        if (server != null) server.close();
    }

    static void shot(String name) throws IOException {
        Files.copy(((ChromeDriver) d).getScreenshotAs(OutputType.FILE).toPath(), LabBrowserTest.SHOTS.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** axe-core on the page; a swap by the poll in the middle of the analysis makes it try again. */
    static void axe(String where) {
        for (int attempt = 1; ; attempt++) {
            try {
                LabBrowserTest.assertNoSeriousViolations(where);
                return;
            } catch (RuntimeException e) {
                if (attempt == 3) throw e;
            }
        }
    }

    @Test
    void theDashboardFollowsTheClassLiveByPolling() throws IOException {
        server.app.classroom().createFirstAdmin("admin", ClassroomTestSupport.ADMIN_PASSWORD);
        d.get(server.base() + "/teach");
        wait.until(x -> x.getCurrentUrl().contains("/login"));
        d.findElement(By.name("username")).sendKeys("admin");
        d.findElement(By.name("password")).sendKeys(ClassroomTestSupport.ADMIN_PASSWORD);
        d.findElement(By.cssSelector("form.stack-form button[type=submit]")).click();
        wait.until(x -> x.getCurrentUrl().endsWith("/teach"));
        d.findElement(By.name("title")).sendKeys("OS 101");
        d.findElement(By.cssSelector("form[action='/teach/courses'] button[type=submit]")).click();
        wait.until(x -> x.getCurrentUrl().contains("/teach/courses/"));
        String code = d.findElement(By.id("join-code")).getText();
        assertTrue(d.findElement(By.id("online-count")).getText().startsWith("0 of 0"));

        var ada = server.client();
        ClassroomTestSupport.join(ada, code, "Ada");
        ada.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
        ada.exec("first-folio", "folio_put(p)");
        // no reload: htmx polls the grid every 5 seconds
        wait.until(x -> !x.findElements(By.cssSelector("tr[data-member='1'] td.cell-done")).isEmpty());
        // the grid is swapped every 5 seconds, so every read is retried on a stale element
        wait.until(x -> x.findElement(By.id("online-count")).getText().equals("1 of 1 learners online"));
        wait.until(x -> x.findElement(By.cssSelector("tr[data-member='1'] td.cell-working")).getText().contains("…"));
        wait.until(x -> x.findElement(By.id("grid")).getText().contains("folio_put(p)")); // the class's wrong statement
        ada.exec("first-folio", "cat /proc/buddyinfo");
        wait.until(x -> x.findElements(By.cssSelector("tr[data-member='1'] td.cell-done")).size() == 2);
        axe("dashboard");
        shot("classroom-dashboard");
        wait.until(x -> {
            x.findElement(By.cssSelector("tr[data-member='1'] td.consoles a")).click();
            return true;
        });
        wait.until(x -> x.getCurrentUrl().contains("/members/1/labs/first-folio"));
        assertTrue(d.findElement(By.className("journal")).getText().contains("f = folio_alloc(GFP_KERNEL, 2)"));
        axe("learner console");
    }
}
