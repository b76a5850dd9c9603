package io.polarstack.orchestrator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final LoginThrottle throttle =
            new LoginThrottle(new LoginThrottle.Settings(3, Duration.ofSeconds(30), Duration.ofMinutes(2), 100), clock);

    @Test
    void failuresLockOnlyTheirAddressAndTheLockExpires() {
        assertThat(throttle.failed("10.0.0.9")).isEmpty();
        assertThat(throttle.failed("10.0.0.9")).isEmpty();
        assertThat(throttle.lockedFor("10.0.0.9")).isEmpty();
        assertThat(throttle.failed("10.0.0.9")).contains(Duration.ofSeconds(30));
        assertThat(throttle.lockedFor("10.0.0.9")).contains(Duration.ofSeconds(30));
        assertThat(throttle.lockedFor("10.0.0.1")).as("another address").isEmpty();

        clock.advance(Duration.ofSeconds(29));
        assertThat(throttle.lockedFor("10.0.0.9")).contains(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(throttle.lockedFor("10.0.0.9")).as("the lock expires").isEmpty();
    }

    @Test
    void eachFurtherLockOutDoublesUpToTheMaximumAndASuccessForgetsTheAddress() {
        for (Duration expected : new Duration[] {
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(120)
        }) {
            throttle.failed("a");
            throttle.failed("a");
            assertThat(throttle.failed("a")).contains(expected);
            clock.advance(expected);
            assertThat(throttle.lockedFor("a")).isEmpty();
        }
        throttle.succeeded("a");
        throttle.failed("a");
        throttle.failed("a");
        assertThat(throttle.failed("a")).as("back to the first lock time").contains(Duration.ofSeconds(30));
    }

    @Test
    void aQuietAddressIsForgivenAndMemoryIsBounded() {
        throttle.failed("a");
        throttle.failed("a");
        throttle.failed("a"); // locked 30 s, one lock-out
        clock.advance(Duration.ofMinutes(3)); // longer than max-lock-time
        throttle.failed("b"); // any failure sweeps idle addresses
        assertThat(throttle.size()).isEqualTo(1);

        for (int i = 0; i < 500; i++) {
            throttle.failed("192.0.2." + i);
        }
        assertThat(throttle.size()).isEqualTo(100);
    }

    @Test
    void settingsFallBackToSafeDefaults() {
        var s = new LoginThrottle.Settings(0, null, null, 0);
        assertThat(s.maxFailures()).isEqualTo(10);
        assertThat(s.lockTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.maxLockTime()).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.maxAddresses()).isEqualTo(10_000);
        assertThat(new LoginThrottle.Settings(3, Duration.ofHours(1), Duration.ofMinutes(1), 5).maxLockTime())
                .isEqualTo(Duration.ofHours(1));
    }
}
