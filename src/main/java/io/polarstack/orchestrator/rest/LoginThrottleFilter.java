package io.polarstack.orchestrator.rest;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of every login (HTTP Basic on {@code /engine-rest} and {@code /api}, the webapps' login form): a client
 * address that {@link LoginThrottle} holds locked gets 429 with Retry-After before any password is checked; after the
 * request, a 401 to a login attempt counts against its address, any other answer clears it. The address is the
 * connection's peer: X-Forwarded-For counts only when the server is told to trust a proxy
 * ({@code server.forward-headers-strategy}), since any client can send that header.
 */
final class LoginThrottleFilter implements Filter {

    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottleFilter.class);

    private final LoginThrottle throttle;

    LoginThrottleFilter(LoginThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (!loginAttempt(request)) {
            chain.doFilter(req, res);
            return;
        }
        String address = request.getRemoteAddr();
        var locked = throttle.lockedFor(address);
        if (locked.isPresent()) {
            long seconds = Math.max(1, (locked.get().toMillis() + 999) / 1000);
            response.setStatus(429);
            response.setHeader("Retry-After", Long.toString(seconds));
            response.setContentType("application/json");
            response.getOutputStream()
                    .write(("{\"type\":\"TooManyFailedLogins\",\"message\":\"too many failed logins from this address;"
                                    + " try again in " + seconds + " s\"}")
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.doFilter(req, res);
        if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
            throttle.failed(address)
                    .ifPresent(lock -> LOG.warn(
                            "{} failed logins in a row from {}: that address is refused for {} s",
                            throttle.settings().maxFailures(),
                            address,
                            lock.toSeconds()));
        } else if (response.getStatus() < 400) {
            throttle.succeeded(address);
        }
    }

    /** A request that carries credentials: Basic on the APIs, or the webapps' login form. */
    static boolean loginAttempt(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return true;
        }
        String uri = request.getRequestURI();
        return "POST".equals(request.getMethod())
                && uri != null
                && uri.contains("/auth/user/")
                && uri.contains("/login/");
    }
}
