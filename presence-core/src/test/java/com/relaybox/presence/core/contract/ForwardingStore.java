package com.relaybox.presence.core.contract;

import com.relaybox.presence.core.domain.ConnectionId;
import com.relaybox.presence.core.domain.JobId;
import com.relaybox.presence.core.domain.Member;
import com.relaybox.presence.core.domain.NspRoomId;
import com.relaybox.presence.core.port.out.FencingToken;
import com.relaybox.presence.core.port.out.PresenceStore;
import com.relaybox.presence.core.port.out.StoreCommand;
import com.relaybox.presence.core.port.out.StoreResult;

import java.util.List;
import java.util.Optional;

/** A store that forwards everything to another; tests override {@link #apply(List, Optional)} to make it misbehave. */
public abstract class ForwardingStore implements PresenceStore {
    protected final PresenceStore delegate;

    protected ForwardingStore(PresenceStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<StoreResult> apply(List<StoreCommand> commands, Optional<FencingToken> token) {
        return delegate.apply(commands, token);
    }

    @Override
    public FencingToken takeFencingToken(String resource) {
        return delegate.takeFencingToken(resource);
    }

    @Override
    public void jobsAcknowledged(List<JobId> jobs) {
        delegate.jobsAcknowledged(jobs);
    }

    @Override
    public List<Member> memberPage(NspRoomId room, int offset, int count) {
        return delegate.memberPage(room, offset, count);
    }

    @Override
    public long count(NspRoomId room) {
        return delegate.count(room);
    }

    @Override
    public boolean isMember(NspRoomId room, ConnectionId connection) {
        return delegate.isMember(room, connection);
    }

    @Override
    public List<NspRoomId> rooms(ConnectionId connection) {
        return delegate.rooms(connection);
    }
}
