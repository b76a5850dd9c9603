package io.polarstack.orchestrator.rest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code orchestrator.login.*} (README's configuration table): how failed logins lock a client address.
 *
 * @param maxFailures  failed logins in a row from one address before it is refused
 * @param lockTime     how long the first lock-out lasts; each further one doubles it
 * @param maxLockTime  the longest lock-out
 * @param maxAddresses how many client addresses are remembered at most
 */
@ConfigurationProperties("orchestrator.login")
record LoginProperties(Integer maxFailures, Duration lockTime, Duration maxLockTime, Integer maxAddresses) {

    LoginThrottle.Settings settings() {
        return new LoginThrottle.Settings(
                maxFailures == null ? 0 : maxFailures, lockTime, maxLockTime, maxAddresses == null ? 0 : maxAddresses);
    }
}
