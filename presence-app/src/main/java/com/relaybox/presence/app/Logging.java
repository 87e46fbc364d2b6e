package com.relaybox.presence.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.relaybox.presence.app.config.LogConfig;
import org.slf4j.LoggerFactory;

/**
 * Log lines are logfmt, one per lifecycle event ({@link LogfmtLayout}). {@code LOCALHOST=true}
 * gives the time of day for a terminal; otherwise the full UTC instant, for collectors.
 */
public final class Logging {
    private Logging() {
    }

    static void apply(LogConfig config) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        LogfmtLayout layout = new LogfmtLayout();
        layout.setContext(context);
        layout.setShortTime(config.localhost());
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
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
}
