-- One presence job, applied atomically (CONTRACT section 3). Called by RedisPresenceStore.
--
-- join / update / leave:
--   KEYS = presence-job:<jobId>, presence:<room>:members, presence:<room>:index,
--          connection:<connectionId>:presence-sets, presence-tombstone:<connectionId>
--   ARGV = kind, connectionId, timestamp, jobMemoryMs, nspRoomId, memberJson (join/update only)
-- disconnect:
--   KEYS = presence-job:<jobId>, connection:<connectionId>:presence-sets, presence-tombstone:<connectionId>
--   ARGV = kind, connectionId, timestamp, jobMemoryMs, tombstoneMs
--   The rooms' keys come from the presence-sets, so they cannot be declared in KEYS.
--
-- Reply: { repeat ('1' or '0'), effect ('C' changed, 'N' not a member, 'D' disconnected),
--          timestamp, room... }. The job record holds the same minus the repeat flag, packed
-- with MessagePack, and expires after jobMemoryMs.
--
-- Bad data: every key a job writes is read (or written by the job's first write) before
-- anything is written, so a key of the wrong type fails the job whole with a CORRUPT error
-- naming the key, and nothing of the job changes.

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

local function disconnect(connection, timestamp)
  local sets, tombstone = KEYS[2], KEYS[3]
  local joined = checked('hash', 'HKEYS', sets)
  local rooms = {}
  for _, room in ipairs(joined) do
    if checked('hash', 'HEXISTS', 'presence:' .. room .. ':members', connection) == 1 then
      checked('list', 'LLEN', 'presence:' .. room .. ':index')
      rooms[#rooms + 1] = room
    end
  end
  redis.call('SET', tombstone, '1', 'PX', ARGV[5])
  for _, room in ipairs(rooms) do
    redis.call('HDEL', 'presence:' .. room .. ':members', connection)
    redis.call('LREM', 'presence:' .. room .. ':index', 0, connection)
  end
  redis.call('DEL', sets)
  return remember('C', timestamp, rooms)
end

local function roomJob(kind, connection, timestamp)
  local members, index, sets, tombstone, room = KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[5]
  if kind ~= 'leave' and redis.call('EXISTS', tombstone) == 1 then
    return remember('D', timestamp, {})
  end
  local member = checked('hash', 'HEXISTS', members, connection) == 1
  if kind == 'join' then
    checked('hash', 'HEXISTS', sets, room)
    checked('list', 'LREM', index, 0, connection) -- the first write: nothing changed if it fails
    redis.call('LPUSH', index, connection)
    redis.call('HSET', members, connection, ARGV[6])
    redis.call('HSET', sets, room, '1')
  elseif kind == 'update' then
    if not member then return remember('N', timestamp, {}) end
    redis.call('HSET', members, connection, ARGV[6])
  elseif kind == 'leave' then
    if not member then return remember('N', timestamp, {}) end
    checked('hash', 'HEXISTS', sets, room)
    checked('list', 'LREM', index, 0, connection) -- the first write: nothing changed if it fails
    redis.call('HDEL', members, connection)
    redis.call('HDEL', sets, room)
  else
    error({ corrupt = 'ERR unknown presence command ' .. tostring(kind) }, 0)
  end
  return remember('C', timestamp, { room })
end

local ok, reply = pcall(function()
  local kind, connection, timestamp = ARGV[1], ARGV[2], ARGV[3]
  local remembered = checked('string', 'GET', KEYS[1])
  if remembered then return recalled(remembered) end
  if kind == 'disconnect' then return disconnect(connection, timestamp) end
  return roomJob(kind, connection, timestamp)
end)
if ok then return reply end
if type(reply) == 'table' and reply.corrupt then return redis.error_reply(reply.corrupt) end
error(reply, 0)
