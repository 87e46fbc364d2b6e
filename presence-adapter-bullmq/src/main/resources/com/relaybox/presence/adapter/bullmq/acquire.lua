-- Takes the queue's lease when nobody holds it (or only a former lease of this very instance is
-- left), with a new epoch, and gives back what former holders had taken and not finished.
-- KEYS: 1 lease, 2 epoch counter, 3 active, 4 wait, 5 paused, 6 meta, 7 marker, 8 events
-- ARGV: 1 instance id, 2 lease ms, 3 job key base
-- Returns {1, token, given back} when taken, {0, holder} when another instance holds it.
local holder = call("GET", KEYS[1])
local mine = ":" .. ARGV[1]
if holder and string.sub(holder, -#mine) ~= mine then return {0, holder} end
local epoch = call("INCR", KEYS[2])
local token = "presence:" .. epoch .. mine
call("SET", KEYS[1], token, "PX", ARGV[2])

-- A former holder's jobs: locked with a token of ours (not a plain BullMQ worker's), or unlocked.
local orphans = {}
for _, id in ipairs(call("LRANGE", KEYS[3], 0, -1)) do
  local lock = call("GET", ARGV[3] .. id .. ":lock")
  if not lock or string.sub(lock, 1, 9) == "presence:" then
    if lock then call("DEL", ARGV[3] .. id .. ":lock") end
    table.insert(orphans, id)
  end
end
giveBack(orphans, KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], maxEvents(KEYS[6]))
return {1, token, #orphans}
