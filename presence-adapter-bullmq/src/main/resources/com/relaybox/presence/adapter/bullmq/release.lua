-- At shutdown: gives back the jobs the holder took and did not finish, in order, and lets the
-- lease go, so the next instance takes over at once instead of when the lease lapses.
-- KEYS: 1 lease, 2 active, 3 wait, 4 paused, 5 meta, 6 marker, 7 events
-- ARGV: 1 token, 2 job key base
-- Returns the number given back, or -1 when the lease is not the caller's any more.
if call("GET", KEYS[1]) ~= ARGV[1] then return -1 end
local mine = {}
for _, id in ipairs(call("LRANGE", KEYS[2], 0, -1)) do
  if call("GET", ARGV[2] .. id .. ":lock") == ARGV[1] then
    call("DEL", ARGV[2] .. id .. ":lock")
    table.insert(mine, id)
  end
end
giveBack(mine, KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], maxEvents(KEYS[5]))
call("DEL", KEYS[1])
return #mine
