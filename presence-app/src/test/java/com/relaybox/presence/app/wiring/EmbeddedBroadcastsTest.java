package com.relaybox.presence.app.wiring;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.relaybox.presence.core.contract.PresenceBroadcasterContract;
import com.relaybox.presence.core.port.out.PresenceBroadcaster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Embedded mode's broadcaster keeps the port's contract: what it would send is what it logs at DEBUG. */
class EmbeddedBroadcastsTest extends PresenceBroadcasterContract {
    private static final String BODY = " body=";

    private final Logger logger = (Logger) LoggerFactory.getLogger(EmbeddedBroadcasts.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final EmbeddedBroadcasts broadcaster = new EmbeddedBroadcasts();
    private Level levelBefore;

    @BeforeEach
    void captureDebug() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void restore() {
        logger.detachAppender(logged);
        logger.setLevel(levelBefore);
    }

    @Override
    protected PresenceBroadcaster broadcaster() {
        return broadcaster;
    }

    @Override
    protected List<String> awaitDelivered(int count) {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .map(line -> line.substring(line.indexOf(BODY) + BODY.length()))
                .toList();
    }
}
