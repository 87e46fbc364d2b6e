package com.relaybox.presence.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.relaybox.presence.app.config.LogConfig;
import org.slf4j.LoggerFactory;

/**
 * Log lines are {@code key=value} pairs, one per lifecycle event. {@code LOCALHOST=true} gives a
 * short line for a terminal; otherwise a full UTC timestamp for collectors.
 */
public final class Logging {
    static final String STRUCTURED = "ts=%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} level=%level logger=%logger{0} %msg%n";
    static final String LOCAL = "%d{HH:mm:ss.SSS} %-5level %logger{0} %msg%n";

    private Logging() {
    }

    static void apply(LogConfig config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(config.localhost() ? LOCAL : STRUCTURED);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        Level level = Level.toLevel(config.level(), Level.INFO);
        root.setLevel(level);
        // Libraries that narrate their start-up at INFO (migrations, pools): their own lines only at debug.
        for (String chatty : new String[]{"org.flywaydb", "com.zaxxer.hikari"})
            context.getLogger(chatty).setLevel(level == Level.INFO ? Level.WARN : level);
    }

    /** A value for a {@code key=value} line: quoted when it holds spaces, quotes or '='. */
    public static String quote(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20))
            return value;
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }
}
