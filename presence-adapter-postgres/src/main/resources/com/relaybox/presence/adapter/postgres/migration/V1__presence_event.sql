-- One row per applied join, update or leave (CONTRACT §5). Every name is qualified with the
-- configured schema, so the migration does not depend on the session's search_path (behind a
-- transaction-pooling proxy the next statement may run on another server connection).
CREATE TABLE ${flyway:defaultSchema}.presence_event (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app           text        NOT NULL,
    room          text        NOT NULL,
    connection_id text        NOT NULL,
    client_id     text,
    event         text        NOT NULL CHECK (event IN ('join', 'update', 'leave')),
    data          jsonb,
    user_info     jsonb,
    event_at      timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    job_id        text        NOT NULL,
    event_index   integer     NOT NULL CHECK (event_index >= 0),
    CONSTRAINT presence_event_job_event_key UNIQUE (job_id, event_index)
);

COMMENT ON TABLE ${flyway:defaultSchema}.presence_event IS 'Presence history: every applied join, update and leave, once per (job_id, event_index)';
COMMENT ON COLUMN ${flyway:defaultSchema}.presence_event.data IS 'the member data of the event (message.data); NULL when absent';
COMMENT ON COLUMN ${flyway:defaultSchema}.presence_event.user_info IS 'session.user of the job; NULL when absent';
COMMENT ON COLUMN ${flyway:defaultSchema}.presence_event.event_at IS 'the event time (message.timestamp, or the processing time)';
COMMENT ON COLUMN ${flyway:defaultSchema}.presence_event.event_index IS '0, or the position of the room among the leaves of one disconnect';

-- One room over a time range, newest first (id breaks ties in recording order).
CREATE INDEX presence_event_room_time_idx ON ${flyway:defaultSchema}.presence_event (app, room, event_at, id);

-- The retention purge finds old rows by recording time; rows are appended in that order, so a
-- BRIN index is tiny and costs inserts next to nothing.
CREATE INDEX presence_event_recorded_at_idx ON ${flyway:defaultSchema}.presence_event USING brin (recorded_at);
