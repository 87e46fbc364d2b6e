-- A page of a room's members, read the way the RelayBox realtime service reads them:
-- LRANGE of the index, then HMGET of those connections in the members hash, in one step.
--   KEYS = presence:<room>:index, presence:<room>:members
--   ARGV = first, last (LRANGE positions, inclusive)
-- Reply: { connectionIds, values } where a value is nil when the hash has no such field.

local index, members = KEYS[1], KEYS[2]
for _, check in ipairs({ { index, 'list' }, { members, 'hash' } }) do
  local actual = redis.call('TYPE', check[1])['ok']
  if actual ~= 'none' and actual ~= check[2] then
    return redis.error_reply('CORRUPT ' .. check[1] .. ' is a ' .. actual .. ', not a ' .. check[2])
  end
end

local ids = redis.call('LRANGE', index, ARGV[1], ARGV[2])
local values = {}
for first = 1, #ids, 1000 do
  local chunk = redis.call('HMGET', members, unpack(ids, first, math.min(first + 999, #ids)))
  for i = 1, #chunk do values[first + i - 1] = chunk[i] end
end
return { ids, values }
