package com.relaybox.presence.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class LogfmtLayoutTest {
    private final LoggerContext context = new LoggerContext();
    private final LogfmtLayout layout = new LogfmtLayout();

    private String line(String logger, Level level, String message, Throwable thrown) {
        layout.setContext(context);
        layout.start();
        LoggingEvent event = new LoggingEvent(logger, context.getLogger(logger), level, message, thrown, null);
        event.setTimeStamp(1_733_000_000_123L);
        return layout.doLayout(event);
    }

    @Test
    void ourOwnEventLinesGoAsTheyAre() {
        assertThat(line("com.relaybox.presence.app.Main", Level.INFO, "event=started mode=embedded", null))
                .isEqualTo("ts=2024-11-30T20:53:20.123Z level=INFO logger=Main event=started mode=embedded\n");
    }

    @Test
    void aLibrarysProseAndItsStackTraceStayOnOneLogfmtLine() {
        String line = line("com.rabbitmq.client.impl.ForgivingExceptionHandler", Level.ERROR,
                "An unexpected connection driver error occurred", new IOException("Broken pipe"));

        assertThat(line).endsWith("\n");
        String body = line.substring(0, line.length() - 1);
        assertThat(body).doesNotContain("\n").matches(StartupLogIT.LOGFMT)
                .startsWith("ts=2024-11-30T20:53:20.123Z level=ERROR logger=ForgivingExceptionHandler "
                        + "msg=\"An unexpected connection driver error occurred\" error=\"java.io.IOException: Broken pipe\" stack=\"")
                .contains("\\n\\tat ");
    }

    @Test
    void aMessageThatOnlyLooksLikeAnEventButSpansLinesIsQuoted() {
        assertThat(line("x.Y", Level.WARN, "event=x\nsecond line", null))
                .isEqualTo("ts=2024-11-30T20:53:20.123Z level=WARN logger=Y msg=\"event=x\\nsecond line\"\n");
    }
}
