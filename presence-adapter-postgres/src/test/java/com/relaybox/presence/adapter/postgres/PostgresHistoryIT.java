package com.relaybox.presence.adapter.postgres;

import com.relaybox.presence.core.contract.HistoryContract;
import com.relaybox.presence.core.port.out.HistoryReader;
import com.relaybox.presence.core.port.out.HistoryRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Core's history contract against the real PostgreSQL, in a schema of its own. */
class PostgresHistoryIT extends HistoryContract {
    private static final String SCHEMA = TestDatabase.newSchema();
    private static PostgresHistory history;

    @BeforeAll
    static void start() {
        history = new PostgresHistory(TestDatabase.settings(SCHEMA), HistoryRetention.ofDays(30));
    }

    @AfterAll
    static void stop() {
        history.close();
        TestDatabase.dropSchema(SCHEMA);
    }

    @Override
    protected HistoryRecorder recorder() {
        return history;
    }

    @Override
    protected HistoryReader reader() {
        return history;
    }
}
