-- Pins or unpins a message that is not deleted, logging a `pin` event with the room's next
-- seq when it changes something. A pinned message's hash keeps the event's seq (`pinned`),
-- and the room's pins zset holds its seq scored by it (the header lists the newest first).
-- KEYS: 1 seq counter, 2 log stream, 3 the room's pins (zset)
-- ARGV: 1 message key, 2 '1' to pin or '0' to unpin, 3 at, 4 target seq, 5 history length,
--       6 the room's announcement channel, 7 the most pins per room, 8 the event's data,
--       9 what the room's message keys start with, 10 how the room announces ('PUBLISH',
--       or 'SPUBLISH' in a cluster)
-- Returns {seq, message, original} when logged: the message's hash as the event carries it
-- and, for a reply, the hash of the message it answers (both HGETALL's flat lists, the
-- original's empty for none), read in the same step so that nothing read afterwards can
-- fail a pin already made. Otherwise {0, {}, {}} when nothing changed, {-1, {}, {}} not
-- found, {-3, {}, {}} deleted, {-6, {}, {}} the room has the most pins already.
local state = redis.call('HMGET', ARGV[1], 'deleted', 'pinned')
if not state[1] then
  return {-1, {}, {}}
end
if state[1] == '1' then
  return {-3, {}, {}}
end
local pinned = state[2] ~= false and state[2] ~= ''
if (ARGV[2] == '1') == pinned then
  return {0, {}, {}}
end
if ARGV[2] == '1' then
  -- Messages the bounded history trimmed away no longer count.
  for _, seq in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    if redis.call('EXISTS', ARGV[9] .. seq) == 0 then
      redis.call('ZREM', KEYS[3], seq)
    end
  end
  if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[7]) then
    return {-6, {}, {}}
  end
end
local seq = redis.call('INCR', KEYS[1])
if ARGV[2] == '1' then
  redis.call('HSET', ARGV[1], 'pinned', seq)
  redis.call('ZADD', KEYS[3], seq, ARGV[4])
else
  redis.call('HDEL', ARGV[1], 'pinned')
  redis.call('ZREM', KEYS[3], ARGV[4])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], seq .. '-0',
  'kind', 'pin', 'target', ARGV[4], 'at', ARGV[3], 'data', ARGV[8])
redis.call(ARGV[10], ARGV[6], '{"type":"logged","seq":' .. seq .. '}')
local reply_to = redis.call('HGET', ARGV[1], 'reply_to')
local original = {}
if reply_to then
  original = redis.call('HGETALL', ARGV[9] .. reply_to)
end
return {seq, redis.call('HGETALL', ARGV[1]), original}
