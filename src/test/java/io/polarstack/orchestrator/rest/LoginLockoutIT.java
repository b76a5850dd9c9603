package io.polarstack.orchestrator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.testing.AppTestSupport;
import io.polarstack.orchestrator.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on its HTTP port, reached from several loopback addresses (the client socket bound to
 * 127.0.0.x): wrong passwords lock the address they come from, not the administrator, and the lock expires.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "camunda.bpm.job-execution.enabled=false",
            "orchestrator.login.max-failures=3",
            "orchestrator.login.lock-time=2s",
            "orchestrator.login.max-lock-time=4s"
        })
class LoginLockoutIT {

    private static final String GOOD = AppTestSupport.ADMIN + ":" + AppTestSupport.ADMIN_PASSWORD;
    private static final String BAD = AppTestSupport.ADMIN + ":not-the-password";
    private static final String ATTACKER = "127.0.0.2";
    private static final String OPERATOR = "127.0.0.1";

    @DynamicPropertySource
    static void kubernetes(DynamicPropertyRegistry registry) {
        AppTestSupport.register(registry, "login-lockout-it");
    }

    @LocalServerPort
    int port;

    @Test
    void wrongPasswordsFromOneAddressLockOnlyThatAddressAndOnlyForAWhile() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(status(ATTACKER, BAD, "")).as("attempt " + (i + 1)).isEqualTo(401);
        }
        String refused = get(ATTACKER, GOOD, "");
        assertThat(refused)
                .as("the locked address is refused before its password is checked, even the right one")
                .startsWith("HTTP/1.1 429")
                .containsIgnoringCase("Retry-After: ");
        for (int i = 0; i < 12; i++) { // past the engine's own limit of 10, which locked the user for good
            assertThat(status(ATTACKER, BAD, "")).isEqualTo(429);
        }

        assertThat(status(OPERATOR, GOOD, ""))
                .as("the administrator from another address")
                .isEqualTo(200);
        assertThat(status(OPERATOR, GOOD, "X-Forwarded-For: " + ATTACKER + "\r\n"))
                .as("a forwarded-for header is not trusted, so it cannot lock or unlock another address")
                .isEqualTo(200);

        Await.await(Duration.ofSeconds(30), () -> "the lock of " + ATTACKER + " to expire", () -> {
            try {
                return status(ATTACKER, GOOD, "") == 200;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(status(ATTACKER, BAD, ""))
                .as("a success forgot the earlier failures")
                .isEqualTo(401);
        assertThat(status(ATTACKER, GOOD, "")).isEqualTo(200);
    }

    @Test
    void theWebappLoginFormIsThrottledTheSameWay() throws Exception {
        String from = "127.0.0.3";
        for (int i = 0; i < 3; i++) {
            assertThat(webappLogin(from, "wrong-" + i)).as("attempt " + (i + 1)).isEqualTo(401);
        }
        assertThat(webappLogin(from, AppTestSupport.ADMIN_PASSWORD)).isEqualTo(429);
        assertThat(webappLogin("127.0.0.4", AppTestSupport.ADMIN_PASSWORD)).isEqualTo(200);
    }

    /** The Cockpit login as a browser does it: fetch the page for the session and CSRF cookies, then post the form. */
    private int webappLogin(String from, String password) throws IOException {
        String page = exchange(
                from,
                "GET /camunda/app/cockpit/default/ HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nConnection: close\r\n\r\n");
        StringBuilder cookies = new StringBuilder();
        String csrf = null;
        for (String line : page.split("\r\n")) {
            if (line.regionMatches(true, 0, "Set-Cookie: ", 0, 12)) {
                String cookie = line.substring(12).split(";", 2)[0];
                cookies.append(cookies.length() == 0 ? "" : "; ").append(cookie);
                if (cookie.startsWith("XSRF-TOKEN=")) {
                    csrf = cookie.substring("XSRF-TOKEN=".length());
                }
            }
        }
        assertThat(csrf).as("the page sets a CSRF token").isNotNull();
        String form = "username=" + AppTestSupport.ADMIN + "&password="
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8);
        String response = exchange(
                from,
                "POST /camunda/api/admin/auth/user/default/login/cockpit HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nCookie: " + cookies + "\r\nX-XSRF-TOKEN: " + csrf
                        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                        + form.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + form);
        return Integer.parseInt(response.substring(9, 12));
    }

    private int status(String from, String login, String headers) throws IOException {
        String response = get(from, login, headers);
        return Integer.parseInt(response.substring(9, 12));
    }

    /** GET /engine-rest/user/admin/profile with Basic {@code login} from {@code from}; the raw response. */
    private String get(String from, String login, String headers) throws IOException {
        return exchange(
                from,
                "GET /engine-rest/user/" + AppTestSupport.ADMIN + "/profile HTTP/1.1\r\n"
                        + "Host: 127.0.0.1:" + port + "\r\n"
                        + "Authorization: Basic "
                        + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)) + "\r\n"
                        + headers
                        + "Connection: close\r\n\r\n");
    }

    /** One HTTP/1.1 request over a socket bound to {@code from}; the raw response. */
    private String exchange(String from, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
