-- Writes (or, with an empty roster, withdraws) one node's roster of a room, stamped with
-- Redis' own clock so that nodes with skewed clocks agree on what is stale.
-- KEYS[1] the room's presence hash
-- ARGV[1] node id, ARGV[2] roster JSON ('' = nobody here), ARGV[3] key lifetime in ms,
-- ARGV[4] channel to announce on ('' = do not announce), ARGV[5] announcement,
-- ARGV[6] how: 'PUBLISH', or 'SPUBLISH' in a cluster (the channel is the room's shard's)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], now .. '|' .. ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call(ARGV[6], ARGV[4], ARGV[5])
end
return now
