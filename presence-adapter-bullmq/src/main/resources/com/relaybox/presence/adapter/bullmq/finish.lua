-- Finishes jobs of the holder: each leaves active and goes to completed (returnvalue null) or to
-- failed (with its failedReason), then is kept or removed as its own removeOnComplete /
-- removeOnFail says (true: removed; false or absent: kept; a number: that many kept; {age, count}:
-- kept that many seconds, at most that many), with the events a worker emits.
-- KEYS: 1 lease, 2 active, 3 stalled, 4 completed, 5 failed, 6 events, 7 meta, 8 wait
-- ARGV: 1 token, 2 now ms, 3 job key base, then per job: id, "completed" | "failed", reason
-- Returns the ids it did not find active (given back by a stalled check, or finished by an earlier
-- call whose reply was lost), none as a rule; or -1 when the lease is not the caller's any more.
if call("GET", KEYS[1]) ~= ARGV[1] then return -1 end
local now = tonumber(ARGV[2])
local base = ARGV[3]
local limit = maxEvents(KEYS[7])
call("XTRIM", KEYS[6], "MAXLEN", "~", limit)

local function trim(set, keep)
  local age, count
  if type(keep) == "table" then
    age, count = tonumber(keep["age"]), tonumber(keep["count"])
  else
    count = keep
  end
  if age then
    local before = now - age * 1000
    for _, id in ipairs(call("ZRANGEBYSCORE", set, 0, before)) do deleteJob(base, id) end
    call("ZREMRANGEBYSCORE", set, 0, before)
  end
  if count and count > 0 then
    for _, id in ipairs(call("ZREVRANGE", set, count, -1)) do deleteJob(base, id) end
    call("ZREMRANGEBYRANK", set, 0, -(count + 1))
  end
end

local finished = 0
local missed = {}
for i = 4, #ARGV, 3 do
  local id, target, reason = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = base .. id
  local lock = call("GET", key .. ":lock")
  if (not lock or lock == ARGV[1]) and call("LREM", KEYS[2], -1, id) > 0 then
    call("DEL", key .. ":lock")
    call("SREM", KEYS[3], id)
    call("HINCRBY", key, "atm", 1)
    local rawOpts = call("HGET", key, "opts")
    local opts = rawOpts and cjson.decode(rawOpts) or {}
    local keep = opts[target == "completed" and "removeOnComplete" or "removeOnFail"]
    if keep == true then keep = 0 elseif keep == false or keep == nil or keep == cjson.null then keep = -1 end
    if type(keep) == "table" and tonumber(keep["count"]) == 0 then keep = 0 end
    local set = target == "completed" and KEYS[4] or KEYS[5]
    if keep == 0 then
      deleteJob(base, id)
    else
      call("ZADD", set, now, id)
      if target == "completed" then
        call("HSET", key, "returnvalue", "null", "finishedOn", now)
      else
        call("HSET", key, "failedReason", reason, "finishedOn", now)
      end
      trim(set, keep)
    end
    if target == "completed" then
      emit(KEYS[6], limit, "event", "completed", "jobId", id, "returnvalue", "null", "prev", "active")
    else
      emit(KEYS[6], limit, "event", "failed", "jobId", id, "failedReason", reason, "prev", "active")
    end
    finished = finished + 1
  else
    missed[#missed + 1] = id
  end
end
if finished > 0 and call("LLEN", KEYS[8]) == 0 and call("LLEN", KEYS[2]) == 0 then
  emit(KEYS[6], limit, "event", "drained")
end
return missed
