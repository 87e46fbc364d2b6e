-- Extends the lease and the locks of the jobs the holder has in flight (and takes them off the
-- stalled set, as a worker's extendLock does).
-- KEYS: 1 lease, 2 stalled
-- ARGV: 1 token, 2 ms, 3 job key base, 4.. job ids
-- Returns 1, or 0 when the lease is not the caller's any more.
if call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
call("PEXPIRE", KEYS[1], ARGV[2])
for i = 4, #ARGV do
  local lock = ARGV[3] .. ARGV[i] .. ":lock"
  if call("GET", lock) == ARGV[1] then
    call("SET", lock, ARGV[1], "PX", ARGV[2])
    call("SREM", KEYS[2], ARGV[i])
  end
end
return 1
