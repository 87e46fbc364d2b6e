-- BullMQ's stalled-job rule, run by the lease holder at most once per stalled interval (the
-- stalled-check key, shared with any BullMQ worker): a job marked at the last check and unlocked
-- since goes back to wait (in order, counted in its stalledCounter; never failed: CONTRACT §7),
-- then every job in active is marked for the next check. Renewing a lock unmarks its job.
-- KEYS: 1 lease, 2 stalled, 3 active, 4 wait, 5 stalled-check, 6 meta, 7 paused, 8 marker, 9 events
-- ARGV: 1 token, 2 now ms, 3 stalled interval ms, 4 job key base
-- Returns the number given back, or -1 when the lease is not the caller's any more.
if call("GET", KEYS[1]) ~= ARGV[1] then return -1 end
if call("EXISTS", KEYS[5]) == 1 then return 0 end
call("SET", KEYS[5], ARGV[2], "PX", ARGV[3])

local marked = {}
for _, id in ipairs(call("SMEMBERS", KEYS[2])) do marked[id] = true end
call("DEL", KEYS[2])
local stalled, still = {}, {}
for _, id in ipairs(call("LRANGE", KEYS[3], 0, -1)) do
  if marked[id] and call("EXISTS", ARGV[4] .. id .. ":lock") == 0 then
    call("HINCRBY", ARGV[4] .. id, "stalledCounter", 1)
    table.insert(stalled, id)
  else
    table.insert(still, id)
  end
end
giveBack(stalled, KEYS[3], KEYS[4], KEYS[7], KEYS[6], KEYS[8], KEYS[9], maxEvents(KEYS[6]))
for from = 1, #still, 5000 do
  call("SADD", KEYS[2], unpack(still, from, math.min(from + 4999, #still)))
end
return #stalled
