package com.relaybox.presence.app;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import com.relaybox.presence.core.log.Logfmt;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Every line the service writes, its own and its libraries', as one logfmt line:
 * {@code ts=... level=... logger=...} and then the message. Our own messages are
 * {@code event=... key=value} already and go as they are; a library's prose becomes
 * {@code msg="..."}. A stack trace, when a library logs one, stays on the line as
 * {@code error="..."} and {@code stack="..."} with its line breaks escaped, so a collector never
 * takes its frames for lines of their own.
 */
public final class LogfmtLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneOffset.systemDefault());

    private boolean shortTime;

    /** {@code LOCALHOST=true}: the time of day in the local zone, for a terminal, instead of the full UTC instant. */
    public void setShortTime(boolean shortTime) {
        this.shortTime = shortTime;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160)
                .append("ts=").append((shortTime ? SHORT : FULL).format(Instant.ofEpochMilli(event.getTimeStamp())))
                .append(" level=").append(event.getLevel())
                .append(" logger=").append(Logfmt.quote(simpleName(event.getLoggerName())))
                .append(' ');
        String message = String.valueOf(event.getFormattedMessage());
        if (message.startsWith("event=") && message.indexOf('\n') < 0) line.append(message);
        else line.append("msg=").append(Logfmt.quote(message));
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null)
            line.append(" error=").append(Logfmt.quote(thrown.getClassName() + ": " + thrown.getMessage()))
                    .append(" stack=").append(Logfmt.quote(ThrowableProxyUtil.asString(thrown).strip()));
        return line.append('\n').toString();
    }

    private static String simpleName(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }
}
