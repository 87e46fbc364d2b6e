-- A page of a room's members, read the way the RelayBox realtime service reads them:
-- LRANGE of the index, then HMGET of those connections in the members hash, in one step.
--   KEYS = presence:<room>:index, presence:<room>:members
--   ARGV = first, last (LRANGE positions, inclusive)
-- Reply: { connectionIds, values } where a value is nil when the hash has no such field.

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

local ok, reply = pcall(function()
  local ids = checked('list', 'LRANGE', KEYS[1], ARGV[1], ARGV[2])
  local values = {}
  for first = 1, #ids, 1000 do
    local chunk = checked('hash', 'HMGET', KEYS[2], unpack(ids, first, math.min(first + 999, #ids)))
    for i = 1, #chunk do values[first + i - 1] = chunk[i] end
  end
  return { ids, values }
end)
if ok then return reply end
if type(reply) == 'table' and reply.corrupt then return redis.error_reply(reply.corrupt) end
error(reply, 0)
