package org.memdesclab.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared steps of the classroom tests: an administrator, logging in, making a course, joining it. */
final class ClassroomTestSupport {
    static final String ADMIN_PASSWORD = "correct horse battery";

    private ClassroomTestSupport() {}

    /** A clock the test moves by hand (rate-limit windows, "stuck for a long time"). */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-01T09:00:00Z");

        @Override
        public ZoneId getZone() { return ZoneId.of("UTC"); }

        @Override
        public Clock withZone(ZoneId zone) { return this; }

        @Override
        public Instant instant() { return now; }

        void advance(Duration d) { now = now.plus(d); }
    }

    static LabServer.Client admin(LabServer s) {
        s.app.classroom().createFirstAdmin("admin", ADMIN_PASSWORD);
        return login(s, "admin", ADMIN_PASSWORD);
    }

    static LabServer.Client login(LabServer s, String user, String password) {
        LabServer.Client c = s.client();
        HttpResponse<String> r = c.form("/login", "username", user, "password", password);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("/teach", r.uri().getPath(), "login should land on /teach");
        return c;
    }

    static void addInstructor(LabServer.Client admin, String user, String password) {
        HttpResponse<String> r = admin.form("/teach/instructors", "username", user, "password", password);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("Added " + user), r.body());
    }

    /** Creates a course and returns its id (from the dashboard's address). */
    static String course(LabServer.Client instructor, String title, String lessons, String others) {
        HttpResponse<String> r = instructor.form("/teach/courses", "title", title, "lessons", lessons, "instructors", others);
        assertEquals(200, r.statusCode(), r.body());
        String path = r.uri().getPath();
        assertTrue(path.startsWith("/teach/courses/"), path);
        return path.substring("/teach/courses/".length());
    }

    static String joinCode(LabServer.Client instructor, String courseId) {
        return find(instructor.get("/teach/courses/" + courseId).body(), "id=\"join-code\">([A-Z0-9]{6})<");
    }

    static void join(LabServer.Client learner, String code, String name) {
        HttpResponse<String> r = learner.form("/join", "code", code, "name", name);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.uri().getPath().startsWith("/courses/"), r.uri().toString());
    }

    static String find(String body, String regex) {
        Matcher m = Pattern.compile(regex).matcher(body);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + body);
        return m.group(1);
    }
}
