package io.polarstack.orchestrator.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.polarstack.orchestrator.service.FlushDecision.Effect;
import io.polarstack.orchestrator.service.FlushDecision.Entry;
import io.polarstack.orchestrator.service.FlushDecision.TemplateEntry;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlushDecisionTest {

    static final Instant CREATED = Instant.parse("2026-12-01T10:00:00Z");
    static final Instant FLUSHED = Instant.parse("2026-12-02T10:00:00Z");
    static final Instant EDITED = Instant.parse("2026-12-03T10:00:00Z");

    static Entry at(String value, Instant time) {
        return new Entry(value, time);
    }

    @Test
    void aUserValueNewerThanTheRunningOneAndTheLastFlushWins() {
        var plan = FlushDecision.plan(
                Map.of("work_mem", at("8MB", EDITED), "statement_timeout", at("0", CREATED)),
                Map.of("work_mem", at("4MB", CREATED), "statement_timeout", at("0", CREATED)),
                FLUSHED,
                Map.of());
        assertThat(plan.changes()).containsExactlyEntriesOf(Map.of("work_mem", "8MB"));
        assertThat(plan.noOp()).isFalse();
    }

    @Test
    void aUserValueNotNewerThanTheLastFlushDoesNotWin() {
        var plan = FlushDecision.plan(
                Map.of("work_mem", at("8MB", Instant.parse("2026-12-01T12:00:00Z"))),
                Map.of("work_mem", at("4MB", CREATED)),
                FLUSHED,
                Map.of());
        assertThat(plan.changes()).isEmpty();
        assertThat(plan.ignored()).singleElement().asString().startsWith("work_mem (not newer");
        assertThat(plan.noOp()).isTrue();
    }

    @Test
    void aUserValueOlderThanTheRunningOneDoesNotWin() {
        var plan = FlushDecision.plan(
                Map.of("work_mem", at("8MB", CREATED)), Map.of("work_mem", at("4MB", EDITED)), null, Map.of());
        assertThat(plan.changes()).isEmpty();
    }

    @Test
    void aNewNameWinsAndTheFirstFlushHasNoLatestFlushTime() {
        var plan =
                FlushDecision.plan(Map.of("log_min_duration_statement", at("250", EDITED)), Map.of(), null, Map.of());
        assertThat(plan.changes()).containsEntry("log_min_duration_statement", "250");
    }

    @Test
    void logLinePrefixIsNeverFlushedAndSslAndListenAddressesNeverOverridden() {
        var plan = FlushDecision.plan(
                Map.of(
                        "log_line_prefix", at("%m ", EDITED),
                        "ssl", at("off", EDITED),
                        "ssl_cert_file", at("/tmp/x", EDITED),
                        "listen_addresses", at("*", EDITED)),
                Map.of(),
                null,
                Map.of("ssl", new TemplateEntry("on", false)));
        assertThat(plan.changes()).isEmpty();
        assertThat(plan.forcedBack()).isEmpty();
        assertThat(plan.ignored()).hasSize(4);
    }

    @Test
    void aTemplateParameterTheUserMayNotChangeIsForcedBack() {
        var plan = FlushDecision.plan(
                Map.of("max_prepared_transactions", at("900", EDITED), "work_mem", at("4MB", CREATED)),
                Map.of("max_prepared_transactions", at("800", CREATED), "work_mem", at("4MB", CREATED)),
                FLUSHED,
                Map.of(
                        "max_prepared_transactions", new TemplateEntry("800", false),
                        "work_mem", new TemplateEntry("4MB", true)));
        assertThat(plan.changes()).as("the engines already run the default").isEmpty();
        assertThat(plan.forcedBack()).containsExactlyEntriesOf(Map.of("max_prepared_transactions", "800"));
        assertThat(plan.noOp()).isFalse();
    }

    @Test
    void aRunningValueOffTheTemplateDefaultGoesBackEvenWithoutAUserEdit() {
        var plan = FlushDecision.plan(
                Map.of("max_prepared_transactions", at("800", CREATED)),
                Map.of("max_prepared_transactions", at("900", CREATED)),
                FLUSHED,
                Map.of("max_prepared_transactions", new TemplateEntry("800", false)));
        assertThat(plan.changes()).containsExactlyEntriesOf(Map.of("max_prepared_transactions", "800"));
    }

    @Test
    void theEngineContextSaysReloadRestartOrRefused() {
        assertThat(FlushDecision.effect("user")).isEqualTo(Effect.RELOAD);
        assertThat(FlushDecision.effect("superuser")).isEqualTo(Effect.RELOAD);
        assertThat(FlushDecision.effect("sighup")).isEqualTo(Effect.RELOAD);
        assertThat(FlushDecision.effect("backend")).isEqualTo(Effect.RELOAD);
        assertThat(FlushDecision.effect("postmaster")).isEqualTo(Effect.RESTART);
        assertThat(FlushDecision.effect("internal")).isEqualTo(Effect.REFUSED);
        assertThat(FlushDecision.effect(null)).isEqualTo(Effect.REFUSED);
    }

    @Test
    void valuesAreComparedAsTheEngineShowsThem() {
        assertThat(FlushDecision.sameValue("8MB", "8192", "kB", "integer")).isTrue();
        assertThat(FlushDecision.sameValue("8MB", "4096", "kB", "integer")).isFalse();
        assertThat(FlushDecision.sameValue("128MB", "16384", "8kB", "integer")).isTrue();
        assertThat(FlushDecision.sameValue("250ms", "250", "ms", "integer")).isTrue();
        assertThat(FlushDecision.sameValue("1s", "1000", "ms", "integer")).isTrue();
        assertThat(FlushDecision.sameValue("5min", "300", "s", "integer")).isTrue();
        assertThat(FlushDecision.sameValue("250", "250", "ms", "integer")).isTrue();
        assertThat(FlushDecision.sameValue("1MB", "1000", "ms", "integer"))
                .as("a size is no time")
                .isFalse();
        assertThat(FlushDecision.sameValue("true", "on", null, "bool")).isTrue();
        assertThat(FlushDecision.sameValue("off", "on", null, "bool")).isFalse();
        assertThat(FlushDecision.sameValue("'ddl'", "ddl", null, "enum")).isTrue();
        assertThat(FlushDecision.sameValue("0.5", "0.5", null, "real")).isTrue();
    }
}
