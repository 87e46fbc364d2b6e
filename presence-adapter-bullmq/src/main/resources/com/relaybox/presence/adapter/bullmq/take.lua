-- Moves up to ARGV[3] jobs from wait to active, each locked with the lease token, as a worker's
-- moveToActive does one at a time. Nothing moves unless the caller holds the lease, or while the
-- queue is paused.
-- KEYS: 1 lease, 2 wait, 3 active, 4 meta, 5 events
-- ARGV: 1 token, 2 lock ms, 3 most jobs, 4 now ms, 5 job key base
-- Returns {-1} lease lost, {-2} paused, else {0, id, name, data, ats, timestamp, ...}.
if call("GET", KEYS[1]) ~= ARGV[1] then return {-1} end
if isPaused(KEYS[4]) then return {-2} end
local limit = maxEvents(KEYS[4])
local taken = {0}
local wanted = tonumber(ARGV[3])
local count = 0
while count < wanted do
  local id = call("RPOPLPUSH", KEYS[2], KEYS[3])
  if not id then break end
  local key = ARGV[5] .. id
  local job = call("HMGET", key, "name", "data", "timestamp")
  if string.sub(id, 1, 2) == "0:" or (not job[1] and not job[2]) then
    call("LREM", KEYS[3], 1, id)      -- a v4 marker, or a job removed while it waited
  else
    call("SET", key .. ":lock", ARGV[1], "PX", ARGV[2])
    call("HSET", key, "processedOn", ARGV[4])
    local attempts = call("HINCRBY", key, "ats", 1)
    emit(KEYS[5], limit, "event", "active", "jobId", id, "prev", "waiting")
    table.insert(taken, id)
    table.insert(taken, job[1] or "")
    table.insert(taken, job[2] or "")
    table.insert(taken, attempts)
    table.insert(taken, job[3] or "0")
    count = count + 1
  end
end
return taken
