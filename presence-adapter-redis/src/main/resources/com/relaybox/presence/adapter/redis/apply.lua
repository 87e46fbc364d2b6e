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
-- Every key's type is checked before the first write, so bad data fails the job whole.

local function wrongType(key, expected)
  local actual = redis.call('TYPE', key)['ok']
  if actual ~= 'none' and actual ~= expected then
    return 'CORRUPT ' .. key .. ' is a ' .. actual .. ', not a ' .. expected
  end
  return nil
end

local jobKey = KEYS[1]
local kind, connection, timestamp, jobMemory = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local bad = wrongType(jobKey, 'string')
if bad then return redis.error_reply(bad) end
local remembered = redis.call('GET', jobKey)
if remembered then
  local ok, record = pcall(cmsgpack.unpack, remembered)
  local valid = ok and type(record) == 'table' and #record >= 2
  if valid then
    for i = 1, #record do valid = valid and type(record[i]) == 'string' end
  end
  if not valid then
    return redis.error_reply('CORRUPT ' .. jobKey .. ' is not a job record of the presence service')
  end
  local reply = { '1' }
  for i = 1, #record do reply[i + 1] = record[i] end
  return reply
end

local effect, rooms = 'C', {}
if kind == 'disconnect' then
  local sets, tombstone = KEYS[2], KEYS[3]
  bad = wrongType(sets, 'hash') or wrongType(tombstone, 'string')
  if bad then return redis.error_reply(bad) end
  local joined = redis.call('HKEYS', sets)
  for _, room in ipairs(joined) do
    bad = wrongType('presence:' .. room .. ':members', 'hash') or wrongType('presence:' .. room .. ':index', 'list')
    if bad then return redis.error_reply(bad) end
  end
  redis.call('SET', tombstone, '1', 'PX', ARGV[5])
  for _, room in ipairs(joined) do
    if redis.call('HDEL', 'presence:' .. room .. ':members', connection) == 1 then
      redis.call('LREM', 'presence:' .. room .. ':index', 0, connection)
      rooms[#rooms + 1] = room
    end
  end
  redis.call('DEL', sets)
else
  local members, index, sets, tombstone = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
  local room = ARGV[5]
  bad = wrongType(members, 'hash') or wrongType(index, 'list') or wrongType(sets, 'hash')
      or wrongType(tombstone, 'string')
  if bad then return redis.error_reply(bad) end
  if kind ~= 'leave' and redis.call('EXISTS', tombstone) == 1 then
    effect = 'D'
  elseif kind == 'join' then
    redis.call('LREM', index, 0, connection)
    redis.call('LPUSH', index, connection)
    redis.call('HSET', members, connection, ARGV[6])
    redis.call('HSET', sets, room, '1')
    rooms[1] = room
  elseif kind == 'update' then
    if redis.call('HEXISTS', members, connection) == 1 then
      redis.call('HSET', members, connection, ARGV[6])
      rooms[1] = room
    else
      effect = 'N'
    end
  elseif kind == 'leave' then
    if redis.call('HDEL', members, connection) == 1 then
      redis.call('LREM', index, 0, connection)
      redis.call('HDEL', sets, room)
      rooms[1] = room
    else
      effect = 'N'
    end
  else
    return redis.error_reply('ERR unknown presence command ' .. tostring(kind))
  end
end

local record = { effect, timestamp }
for i, room in ipairs(rooms) do record[i + 2] = room end
redis.call('SET', jobKey, cmsgpack.pack(record), 'PX', jobMemory)
local reply = { '0' }
for i = 1, #record do reply[i + 1] = record[i] end
return reply
