-- One presence job, applied atomically (CONTRACT section 3). Called by RedisPresenceStore.
--
-- join / update / leave:
--   KEYS = presence-job:<jobId>, presence:<room>:members, presence:<room>:index,
--          connection:<connectionId>:presence-sets, presence-tombstone:<connectionId>, heartbeat:keepalive
--   ARGV = kind, connectionId, timestamp, jobMemoryMs, nspRoomId, memberJson (join/update only)
-- disconnect:
--   KEYS = presence-job:<jobId>, connection:<connectionId>:presence-sets, presence-tombstone:<connectionId>
--   ARGV = kind, connectionId, timestamp, jobMemoryMs, tombstoneMs
--   The rooms' keys come from the presence-sets, so they cannot be declared in KEYS.
-- evict (a ghost, CONTRACT section 8):
--   KEYS = as disconnect, then heartbeat:keepalive, the unconfirmed evictions (sorted set)
--   ARGV = as disconnect, then the stale heartbeat (ms), the ghost's record
--   Only while the connection's heartbeat is still at most the stale one; otherwise it is no ghost.
--
-- Every call ends with its fence: the last key, presence-fence:<resource>, and the last argument,
-- the batch's fencing token, or '' when it has none (the key is then not read). A token that is not
-- the key's value refuses the job before it reads anything else: a FENCED error, no change, no job
-- record (RedisPresenceStore.takeFencingToken sets the key).
--
-- The tombstone is '1' after a disconnect (joins and updates ignored until it expires) and
-- 'h<heartbeat>' after an eviction (ignored until a heartbeat newer than that one).
--
-- Reply: { repeat ('1' or '0'), effect ('C' changed, 'N' not a member, 'D' disconnected,
--          'E' evicted, 'S' not stale),
--          timestamp, room... }. The job record holds the same minus the repeat flag, packed
-- with MessagePack, and expires after jobMemoryMs.
--
-- Bad data: every key a job writes is read (or written by the job's first write) before
-- anything is written, so a key of the wrong type fails the job whole with a CORRUPT error
-- naming the key, and nothing of the job changes.
--
-- Cost flat in room size: the index holds each member once and only members (CONTRACT section 3),
-- so a join of a connection the members hash does not hold never scans the index, and every
-- removal is LREM count 1, which stops at the entry it removes. A rejoin, leave, disconnect and
-- eviction still walk the index up to the member's place: the index is RelayBox's list.

-- A command on a key the job reads or first writes: a key of the wrong type is bad data, named;
-- any other error (out of memory, read-only replica, ...) goes back to the caller as it is.
local function checked(expected, command, key, ...)
  local reply = redis.pcall(command, key, ...)
  if type(reply) == 'table' and reply.err then
    if string.sub(reply.err, 1, 9) ~= 'WRONGTYPE' then error(reply, 0) end
    error({ corrupt = 'CORRUPT ' .. key .. ' is a ' .. redis.call('TYPE', key)['ok'] .. ', not a ' .. expected }, 0)
  end
  return reply
end

local function remember(effect, timestamp, rooms)
  local record = { effect, timestamp }
  for i, room in ipairs(rooms) do record[i + 2] = room end
  redis.call('SET', KEYS[1], cmsgpack.pack(record), 'PX', ARGV[4])
  local reply = { '0' }
  for i = 1, #record do reply[i + 1] = record[i] end
  return reply
end

local function recalled(packed)
  local ok, record = pcall(cmsgpack.unpack, packed)
  local valid = ok and type(record) == 'table' and #record >= 2
  if valid then
    for i = 1, #record do valid = valid and type(record[i]) == 'string' end
  end
  if not valid then
    error({ corrupt = 'CORRUPT ' .. KEYS[1] .. ' is not a job record of the presence service' }, 0)
  end
  local reply = { '1' }
  for i = 1, #record do reply[i + 1] = record[i] end
  return reply
end

-- The rooms whose members hash holds the connection; reads only, so bad data fails before any write.
local function roomsOf(connection, sets)
  local joined = checked('hash', 'HKEYS', sets)
  local rooms = {}
  for _, room in ipairs(joined) do
    if checked('hash', 'HEXISTS', 'presence:' .. room .. ':members', connection) == 1 then
      checked('list', 'LLEN', 'presence:' .. room .. ':index')
      rooms[#rooms + 1] = room
    end
  end
  return rooms
end

local function leaveAll(connection, sets, rooms)
  for _, room in ipairs(rooms) do
    redis.call('HDEL', 'presence:' .. room .. ':members', connection)
    redis.call('LREM', 'presence:' .. room .. ':index', 1, connection)
  end
  redis.call('DEL', sets)
end

local function disconnect(connection, timestamp)
  local sets, tombstone = KEYS[2], KEYS[3]
  local rooms = roomsOf(connection, sets)
  redis.call('SET', tombstone, '1', 'PX', ARGV[5])
  leaveAll(connection, sets, rooms)
  return remember('C', timestamp, rooms)
end

local function evict(connection, timestamp)
  local sets, tombstone, heartbeats, unconfirmed, stale = KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[6]
  local heartbeat = checked('zset', 'ZSCORE', heartbeats, connection)
  if not heartbeat or tonumber(heartbeat) > tonumber(stale) then return remember('S', timestamp, {}) end
  local rooms = roomsOf(connection, sets)
  checked('zset', 'ZCARD', unconfirmed)
  if checked('string', 'GET', tombstone) ~= '1' then  -- a disconnect's tombstone stays: it is final
    redis.call('SET', tombstone, 'h' .. stale, 'PX', ARGV[5])
  end
  leaveAll(connection, sets, rooms)
  if #rooms > 0 then redis.call('ZADD', unconfirmed, stale, ARGV[7]) end
  return remember('C', timestamp, rooms)
end

-- Why a join or update is ignored ('D' disconnected, 'E' evicted), or nil when it applies; a
-- heartbeat newer than an eviction lifts the eviction's tombstone.
local function keptOut(connection, tombstone, heartbeats)
  local stone = checked('string', 'GET', tombstone)
  if not stone then return nil end
  if string.sub(stone, 1, 1) ~= 'h' then return 'D' end
  local heartbeat = checked('zset', 'ZSCORE', heartbeats, connection)
  if heartbeat and tonumber(heartbeat) > tonumber(string.sub(stone, 2)) then
    redis.call('DEL', tombstone)
    return nil
  end
  return 'E'
end

local function roomJob(kind, connection, timestamp)
  local members, index, sets, tombstone, room = KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[5]
  if kind ~= 'leave' then
    local kept = keptOut(connection, tombstone, KEYS[6])
    if kept then return remember(kept, timestamp, {}) end
  end
  local member = checked('hash', 'HEXISTS', members, connection) == 1
  if kind == 'join' then
    checked('hash', 'HEXISTS', sets, room)
    if member then
      checked('list', 'LREM', index, 1, connection) -- the first write: nothing changed if it fails
    else
      checked('list', 'LLEN', index) -- not in the index: no need to look for it there
    end
    redis.call('LPUSH', index, connection)
    redis.call('HSET', members, connection, ARGV[6])
    redis.call('HSET', sets, room, '1')
  elseif kind == 'update' then
    if not member then return remember('N', timestamp, {}) end
    redis.call('HSET', members, connection, ARGV[6])
  elseif kind == 'leave' then
    if not member then return remember('N', timestamp, {}) end
    checked('hash', 'HEXISTS', sets, room)
    checked('list', 'LREM', index, 1, connection) -- the first write: nothing changed if it fails
    redis.call('HDEL', members, connection)
    redis.call('HDEL', sets, room)
  else
    error({ corrupt = 'ERR unknown presence command ' .. tostring(kind) }, 0)
  end
  return remember('C', timestamp, { room })
end

-- Why the job's fencing token is refused, or nil when it has none or it is the newest.
local function fencedOut()
  local token = ARGV[#ARGV]
  if token == '' then return nil end
  local newest = redis.pcall('GET', KEYS[#KEYS])
  if newest == token then return nil end
  if type(newest) == 'table' then newest = 'a ' .. redis.call('TYPE', KEYS[#KEYS])['ok'] end
  return 'FENCED ' .. KEYS[#KEYS] .. ' holds ' .. tostring(newest or 'nothing') .. ', not the batch\'s token ' .. token
end

local refused = fencedOut()
if refused then return redis.error_reply(refused) end

local ok, reply = pcall(function()
  local kind, connection, timestamp = ARGV[1], ARGV[2], ARGV[3]
  local remembered = checked('string', 'GET', KEYS[1])
  if remembered then return recalled(remembered) end
  if kind == 'disconnect' then return disconnect(connection, timestamp) end
  if kind == 'evict' then return evict(connection, timestamp) end
  return roomJob(kind, connection, timestamp)
end)
if ok then return reply end
if type(reply) == 'table' and reply.corrupt then return redis.error_reply(reply.corrupt) end
error(reply, 0)
