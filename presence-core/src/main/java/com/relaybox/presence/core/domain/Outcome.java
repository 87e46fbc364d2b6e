package com.relaybox.presence.core.domain;

import java.util.List;
import java.util.Objects;

/** What became of one job. */
public sealed interface Outcome {

    /** The job changed state (or is a redelivery of one that did); {@code events} went out, in order. */
    record Applied(List<PresenceEvent> events) implements Outcome {
        public Applied {
            events = List.copyOf(events);
        }
    }

    /** The job was valid but changed nothing and broadcast nothing. */
    record Ignored(String why) implements Outcome {
        public Ignored {
            Objects.requireNonNull(why, "why");
        }
    }

    /** The job cannot be applied as it is (CONTRACT §6); {@code why} is one line. */
    record Rejected(String why) implements Outcome {
        public Rejected {
            Objects.requireNonNull(why, "why");
        }
    }
}
