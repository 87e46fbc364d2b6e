-- Shared by every step below (prepended when a script is loaded). BullMQ's layout: a job is the
-- hash <base><id>, its lock the string <base><id>:lock; wait and active are lists (LPUSH in,
-- RPOPLPUSH out, so the right end is the oldest); completed and failed are sorted sets scored by
-- the finish time; the events stream is trimmed to meta's opts.maxLenEvents.
local call = redis.call

local function maxEvents(meta)
  return tonumber(call("HGET", meta, "opts.maxLenEvents")) or 10000
end

local function emit(events, limit, ...)
  call("XADD", events, "MAXLEN", "~", limit, "*", ...)
end

local function isPaused(meta)
  return call("HEXISTS", meta, "paused") == 1
end

local function deleteJob(base, id)
  local key = base .. id
  call("DEL", key, key .. ":logs", key .. ":dependencies", key .. ":processed", key .. ":failed", key .. ":lock")
end

-- Puts taken jobs back where the next take finds them first, in their order. ids are as LRANGE
-- of active gives them (newest first): pushed in that order onto the right end, the oldest ends
-- up rightmost, so it is taken first. What BullMQ's stalled rule does for one job, for several.
local function giveBack(ids, active, wait, paused, meta, marker, events, limit)
  local target = wait
  local isOnPause = isPaused(meta)
  if isOnPause then target = paused end
  for _, id in ipairs(ids) do
    call("LREM", active, 1, id)
    call("RPUSH", target, id)
    emit(events, limit, "event", "waiting", "jobId", id, "prev", "active")
    emit(events, limit, "event", "stalled", "jobId", id)
  end
  if #ids > 0 and not isOnPause then call("ZADD", marker, 0, "0") end
end
