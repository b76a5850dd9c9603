package io.polarstack.orchestrator.rest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed logins counted per client address, not per user: {@code maxFailures} in a row from one address lock that
 * address (and only it) for {@code lockTime}, doubled at each further lock-out up to {@code maxLockTime}. A lock always
 * expires; a successful login from the address forgets it. So a guesser slows down to a few tries per lock time,
 * while the administrator logs in from anywhere else as usual and is never locked out for good.
 *
 * <p>At most {@code maxAddresses} addresses are remembered (the oldest entry goes first), so a flood of addresses
 * costs bounded memory; an evicted address starts again from zero.
 */
public final class LoginThrottle {

    public record Settings(int maxFailures, Duration lockTime, Duration maxLockTime, int maxAddresses) {
        public Settings {
            maxFailures = maxFailures <= 0 ? 10 : maxFailures;
            lockTime =
                    lockTime == null || lockTime.isNegative() || lockTime.isZero() ? Duration.ofSeconds(30) : lockTime;
            if (maxLockTime == null || maxLockTime.compareTo(lockTime) < 0) {
                maxLockTime = lockTime.compareTo(Duration.ofMinutes(15)) > 0 ? lockTime : Duration.ofMinutes(15);
            }
            maxAddresses = maxAddresses <= 0 ? 10_000 : maxAddresses;
        }
    }

    /** One address: failures since the last lock-out (or success), lock-outs so far, locked until when. */
    private static final class Entry {
        int failures;
        int lockouts;
        Instant lockedUntil = Instant.MIN;
        Instant lastSeen;
    }

    private final Settings settings;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    public LoginThrottle(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public Settings settings() {
        return settings;
    }

    /** How long {@code address} stays locked; empty when it may try now. */
    public synchronized Optional<Duration> lockedFor(String address) {
        Entry e = entries.get(address);
        Instant now = clock.instant();
        if (e == null || !e.lockedUntil.isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, e.lockedUntil));
    }

    /** Counts a failed login; returns the lock it starts, if this failure was the last one allowed. */
    public synchronized Optional<Duration> failed(String address) {
        Instant now = clock.instant();
        forgetIdle(now);
        Entry e = entries.computeIfAbsent(address, a -> new Entry());
        e.lastSeen = now;
        trim();
        if (++e.failures < settings.maxFailures()) {
            return Optional.empty();
        }
        e.failures = 0;
        e.lockouts++;
        Duration lock = lockTime(e.lockouts);
        e.lockedUntil = now.plus(lock);
        return Optional.of(lock);
    }

    public synchronized void succeeded(String address) {
        entries.remove(address);
    }

    /** lockTime x 2^(n-1), at most maxLockTime. */
    Duration lockTime(int lockouts) {
        Duration lock = settings.lockTime();
        for (int i = 1; i < lockouts && lock.compareTo(settings.maxLockTime()) < 0; i++) {
            lock = lock.multipliedBy(2);
        }
        return lock.compareTo(settings.maxLockTime()) > 0 ? settings.maxLockTime() : lock;
    }

    synchronized int size() {
        return entries.size();
    }

    /** An address quiet for longer than the longest lock starts again from zero (its lock-outs forgiven). */
    private void forgetIdle(Instant now) {
        Instant horizon = now.minus(settings.maxLockTime());
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Entry e = it.next().getValue();
            if (e.lastSeen.isBefore(horizon) && !e.lockedUntil.isAfter(now)) {
                it.remove();
            }
        }
    }

    private void trim() {
        for (Iterator<String> it = entries.keySet().iterator();
                entries.size() > settings.maxAddresses() && it.hasNext(); ) {
            it.next();
            it.remove();
        }
    }
}
