package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instructor accounts over real HTTP: the one-time setup link, login and its rate limits, the session
 * cookie, logout, administrators adding instructors, and who may see which course.
 */
class ClassroomAccountsTest {
    @TempDir
    Path dir;
    LabServer server;
    ClassroomTestSupport.MovableClock clock = new ClassroomTestSupport.MovableClock();

    @BeforeEach
    void start() { server = LabServer.start(dir, App.Options.defaults().withClock(clock)); }

    @AfterEach
    void stop() { server.close(); }

    @Test
    void theSetupLinkCreatesTheFirstAdministratorOnce() {
        String link = server.app.classroom().setupPath();
        assertNotNull(link);
        assertTrue(link.matches("/setup\\?token=[A-Za-z0-9_-]{43}"), link);
        var c = server.client();
        String token = link.substring(link.indexOf('=') + 1);
        var r = c.form("/setup", "token", "x" + token.substring(1), "username", "ada", "password", "a long password", "password2", "a long password");
        assertEquals(403, r.statusCode(), "a wrong token is refused");
        r = c.form("/setup", "token", token, "username", "ada", "password", "a long password", "password2", "another one!");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("The two passwords differ"), r.body());
        r = c.form("/setup", "token", token, "username", "ada", "password", "short", "password2", "short");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("at least 10 characters"), r.body());
        assertFalse(server.app.classroom().hasInstructors(), "refused attempts create nothing");
        r = c.form("/setup", "token", token, "username", "Ada", "password", "a long password", "password2", "a long password");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/teach", r.uri().getPath());
        assertTrue(r.body().contains("ada (administrator)"), r.body());
        assertNull(server.app.classroom().setupPath(), "the link works once");
        r = server.client().form("/setup", "token", token, "username", "eve", "password", "a long password", "password2", "a long password");
        assertEquals(403, r.statusCode());
        assertThrows(IllegalArgumentException.class, () -> server.app.classroom().createFirstAdmin("eve", "a long password"));
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteLaxAndLogoutEndsIt() {
        var admin = ClassroomTestSupport.admin(server);
        HttpResponse<String> login = admin.form("/login", "username", "admin", "password", ClassroomTestSupport.ADMIN_PASSWORD);
        HttpResponse<String> redirect = login.previousResponse().orElseThrow();
        assertEquals(302, redirect.statusCode());
        String cookie = redirect.headers().allValues("set-cookie").stream().filter(s -> s.startsWith(Accounts.COOKIE + "=")).findFirst().orElseThrow();
        assertTrue(cookie.contains("HttpOnly"), cookie);
        assertTrue(cookie.contains("SameSite=Lax"), cookie);
        assertEquals("/teach", admin.get("/teach").uri().getPath());
        var out = admin.form("/logout");
        assertEquals("/login", out.uri().getPath());
        assertEquals("/login", admin.get("/teach").uri().getPath(), "after logout /teach goes to the login");
    }

    @Test
    void loginIsRateLimitedPerAccountWithAClearMessage() {
        var admin = ClassroomTestSupport.admin(server);
        ClassroomTestSupport.addInstructor(admin, "bob", "bobs password");
        var c = server.client();
        for (int i = 0; i < Accounts.ACCOUNT_LIMIT; i++) {
            var r = c.form("/login", "username", "bob", "password", "wrong " + i);
            assertEquals(401, r.statusCode());
            assertTrue(r.body().contains("Wrong username or password."), r.body());
        }
        var r = c.form("/login", "username", "bob", "password", "bobs password");
        assertEquals(429, r.statusCode(), "the right password waits too");
        assertTrue(r.body().contains("Too many failed logins for this account. Try again in 15 minutes."), r.body());
        assertFalse(r.headers().allValues("set-cookie").stream().anyMatch(s -> s.startsWith(Accounts.COOKIE + "=")));
        // another account from the same address is not locked by bob's failures
        ClassroomTestSupport.login(server, "admin", ClassroomTestSupport.ADMIN_PASSWORD);
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        ClassroomTestSupport.login(server, "bob", "bobs password");
    }

    @Test
    void loginIsRateLimitedPerAddress() {
        ClassroomTestSupport.admin(server);
        var c = server.client();
        for (int i = 0; i < Accounts.ADDRESS_LIMIT; i++) {
            assertEquals(401, c.form("/login", "username", "nobody" + i, "password", "guess").statusCode());
        }
        var r = c.form("/login", "username", "admin", "password", ClassroomTestSupport.ADMIN_PASSWORD);
        assertEquals(429, r.statusCode());
        assertTrue(r.body().contains("Too many failed logins for your address."), r.body());
    }

    @Test
    void learnersCannotReachInstructorPages() throws Exception {
        var admin = ClassroomTestSupport.admin(server);
        String course = ClassroomTestSupport.course(admin, "OS 101", "first-folio", "");
        var learner = server.client();
        ClassroomTestSupport.join(learner, ClassroomTestSupport.joinCode(admin, course), "Ada");
        for (String path : List.of("/teach", "/teach/courses/" + course, "/teach/courses/" + course + "/grid",
                "/teach/courses/" + course + "/export.csv", "/teach/courses/" + course + "/members/1/labs/first-folio")) {
            var r = learner.get(path);
            assertEquals("/login", r.uri().getPath(), path + " must send a learner to the login");
            assertFalse(r.body().contains("Ada"), path);
        }
        var r = learner.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + "/teach/courses/" + course + "/grid"))
                .header("HX-Request", "true").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), "htmx polls get 401, not a login page");
        assertEquals(401, learner.htmx("/teach/courses/" + course + "/follow", "statements", "p = alloc_pages(GFP_KERNEL, 0)").statusCode());
        r = learner.form("/teach/courses/" + course + "/members/1/labs/first-folio/reset");
        assertEquals(401, r.statusCode());
        assertEquals(401, learner.form("/teach/instructors", "username", "eve", "password", "a long password").statusCode());
        assertEquals(401, learner.form("/teach/courses", "title", "Mine", "lessons", "first-folio").statusCode());
        assertTrue(admin.get("/teach").body().contains("admin (administrator)"));
        assertFalse(admin.get("/teach").body().contains(">eve<"), "nothing was created");
        assertFalse(admin.get("/teach").body().contains(">Mine<"), "nothing was created");
    }

    @Test
    void anInstructorSeesOnlyTheirOwnCoursesAndAdministratorsSeeAll() {
        var admin = ClassroomTestSupport.admin(server);
        ClassroomTestSupport.addInstructor(admin, "bob", "bobs password");
        ClassroomTestSupport.addInstructor(admin, "carol", "carols password");
        var bob = ClassroomTestSupport.login(server, "bob", "bobs password");
        var carol = ClassroomTestSupport.login(server, "carol", "carols password");
        String bobs = ClassroomTestSupport.course(bob, "Bob's class", "first-folio", "");
        String shared = ClassroomTestSupport.course(carol, "Shared class", "first-folio", "bob");
        String carols = ClassroomTestSupport.course(carol, "Carol's class", "first-folio", "");
        String bobHome = bob.get("/teach").body();
        assertTrue(bobHome.contains("Bob&#39;s class") && bobHome.contains("Shared class") && !bobHome.contains("Carol&#39;s class"), bobHome);
        for (String suffix : List.of("", "/grid", "/export.csv", "/members/1/labs/first-folio")) {
            assertEquals(403, bob.get("/teach/courses/" + carols + suffix).statusCode(), suffix);
        }
        assertEquals(403, bob.form("/teach/courses/" + carols + "/follow", "statements", "p = alloc_pages(GFP_KERNEL, 0)").statusCode());
        assertEquals(200, bob.get("/teach/courses/" + shared).statusCode());
        assertEquals(200, admin.get("/teach/courses/" + carols).statusCode());
        assertEquals(200, admin.get("/teach/courses/" + bobs).statusCode());
        String adminHome = admin.get("/teach").body();
        assertTrue(adminHome.contains("Bob&#39;s class") && adminHome.contains("Carol&#39;s class"), adminHome);
        // only administrators add instructors
        assertEquals(403, bob.form("/teach/instructors", "username", "dave", "password", "daves password").statusCode());
        assertEquals(404, bob.get("/teach/courses/no-such-course").statusCode());
    }

    @Test
    void anInstructorChangesTheCourseAndItsLearnersStay() {
        var admin = ClassroomTestSupport.admin(server);
        ClassroomTestSupport.addInstructor(admin, "bob", "bobs password");
        var bob = ClassroomTestSupport.login(server, "bob", "bobs password");
        String course = ClassroomTestSupport.course(admin, "OS 101", "first-folio", "");
        var ada = server.client();
        ClassroomTestSupport.join(ada, ClassroomTestSupport.joinCode(admin, course), "Ada");
        ada.exec("first-folio", "f = folio_alloc(GFP_KERNEL, 2)");
        assertEquals(403, bob.get("/teach/courses/" + course).statusCode());
        var r = admin.form("/teach/courses/" + course + "/settings", "title", "OS 102", "lessons", "first-folio, nope", "instructors", "admin, bob");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("The course was not changed: there is no lesson &#39;nope&#39;."), r.body());
        assertEquals(403, bob.get("/teach/courses/" + course).statusCode(), "a refused change changes nothing");
        r = admin.form("/teach/courses/" + course + "/settings", "title", "OS 102", "lessons", "first-folio", "instructors", "admin, bob");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("The course was changed."), r.body());
        String dash = bob.get("/teach/courses/" + course).body();
        assertTrue(dash.contains("<h1>OS 102</h1>") && dash.contains("Ada"), dash);
        assertTrue(dash.contains("edit: OS 102; lessons first-folio; instructors admin, bob"), dash);
        r = bob.form("/teach/courses/" + course + "/settings", "title", "OS 102", "lessons", "first-folio", "instructors", "admin");
        assertEquals("/teach", r.uri().getPath(), "bob took himself off the course");
        assertEquals(403, bob.get("/teach/courses/" + course).statusCode());
        assertTrue(admin.get("/teach/courses/" + course + "/export.csv").body().contains("\"Ada\",\"first-folio\",\"alloc-folio\",\"2026"));
    }

    @Test
    void badInstructorAndCourseInputIsRefusedWithAMessageAndCreatesNothing() {
        var admin = ClassroomTestSupport.admin(server);
        var r = admin.form("/teach/instructors", "username", "Bob Smith", "password", "bobs password");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("a username has 2 to 64 characters"), r.body());
        r = admin.form("/teach/instructors", "username", "bob", "password", "short");
        assertEquals(400, r.statusCode());
        ClassroomTestSupport.addInstructor(admin, "bob", "bobs password");
        r = admin.form("/teach/instructors", "username", "BOB", "password", "other password");
        assertEquals(409, r.statusCode());
        assertTrue(r.body().contains("there is already an instructor called bob"), r.body());
        r = admin.form("/teach/courses", "title", "X", "lessons", "first-folio, no-such-lesson");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("there is no lesson &#39;no-such-lesson&#39;"), r.body());
        r = admin.form("/teach/courses", "title", "X", "lessons", "first-folio", "instructors", "zed");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("there is no instructor called &#39;zed&#39;"), r.body());
        r = admin.form("/teach/courses", "title", "", "lessons", "first-folio");
        assertEquals(400, r.statusCode());
        assertTrue(admin.get("/teach").body().contains("No courses yet."));
    }
}
