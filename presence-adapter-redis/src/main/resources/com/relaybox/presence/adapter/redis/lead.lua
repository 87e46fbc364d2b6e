-- Takes or keeps the ghost sweeper's role (CONTRACT section 8). Called by RedisPresenceStore.
-- KEYS = the role's key; ARGV = candidate, term (ms). Reply: 1 when the candidate holds it.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
