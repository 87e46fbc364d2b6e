package com.relaybox.presence.core.contract;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a presence store holds, keyed as RelayBox's Redis keys are (CONTRACT §3): each
 * room's index list and members hash, each connection's presence-sets. Rooms and connections
 * with no key are absent, not empty.
 */
public record PresenceSnapshot(Map<String, List<String>> indexes,
                               Map<String, Map<String, String>> members,
                               Map<String, Set<String>> presenceSets) {
}
