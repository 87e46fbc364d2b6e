-- One page of stale heartbeats (CONTRACT section 8), for the ghost sweeper. Called by RedisPresenceStore.
--
-- KEYS = heartbeat:keepalive
-- ARGV = min score (inclusive, or '-inf'), how many at exactly min to skip, cutoff (exclusive), limit
--
-- Reads at most `limit` entries (so one call stays short however large the stale part is) and
-- keeps the connections present in some room, with the member JSON of one of their rooms. The
-- page starts by rank (ZCOUNT below the min, plus the skip), so a call costs O(log N + limit)
-- however far into the stale part it is, ties included.
-- Reply: { entries read, last score read, entries read at that score,
--          then per ghost: connectionId, score, room, memberJson }
-- The presence-sets and members of a connection cannot be declared in KEYS; as apply.lua's
-- disconnect, this needs a standalone Redis. A key of the wrong type is skipped: its eviction
-- would name it as corrupt.
local first = tonumber(ARGV[2])
if ARGV[1] ~= '-inf' then first = first + redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[1]) end
local cutoff = tonumber(ARGV[3])
local range = redis.call('ZRANGE', KEYS[1], first, first + tonumber(ARGV[4]) - 1, 'WITHSCORES')
local entries = {}
for i = 1, #range, 2 do
  if tonumber(range[i + 1]) >= cutoff then break end
  entries[#entries + 1] = range[i]
  entries[#entries + 1] = range[i + 1]
end
local reply = { tostring(#entries / 2), '', '0' }
local last, same = nil, 0
for i = 1, #entries, 2 do
  local connection, score = entries[i], entries[i + 1]
  if score == last then same = same + 1 else last, same = score, 1 end
  local rooms = redis.pcall('HKEYS', 'connection:' .. connection .. ':presence-sets')
  if type(rooms) == 'table' and not rooms.err then
    for _, room in ipairs(rooms) do
      local member = redis.pcall('HGET', 'presence:' .. room .. ':members', connection)
      if type(member) == 'string' then
        reply[#reply + 1] = connection
        reply[#reply + 1] = score
        reply[#reply + 1] = room
        reply[#reply + 1] = member
        break
      end
    end
  end
end
if last then reply[2], reply[3] = last, tostring(same) end
return reply
