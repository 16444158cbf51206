-- Edits or deletes a message if `by` wrote it, logging the event with the room's next seq.
-- KEYS: 1 seq counter, 2 log stream, 3 message counts (hash)
-- ARGV: 1 message key, 2 by (user id), 3 kind ('edit' or 'delete'), 4 new body (edit),
--       5 at, 6 target seq, 7 history length, 8 room, 9 the room's announcement channel
-- Returns {seq} on success, {-1} not found, {-2} not the author, {-3} already deleted.
local author = redis.call('HGET', ARGV[1], 'author_id')
if not author then
  return {-1}
end
if author ~= ARGV[2] then
  return {-2}
end
if redis.call('HGET', ARGV[1], 'deleted') == '1' then
  return {-3}
end
local seq = redis.call('INCR', KEYS[1])
if ARGV[3] == 'edit' then
  redis.call('HSET', ARGV[1], 'body', ARGV[4], 'edited_at', ARGV[5])
else
  redis.call('HSET', ARGV[1], 'body', '', 'deleted', '1', 'reactions', '[]')
  redis.call('HINCRBY', KEYS[3], ARGV[8], -1)
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], seq .. '-0',
  'kind', ARGV[3], 'target', ARGV[6], 'at', ARGV[5])
redis.call('PUBLISH', ARGV[9], '{"type":"logged","seq":' .. seq .. '}')
return {seq}
