-- Edits or deletes a message if `by` wrote it, logging the event with the room's next seq.
-- Every key it declares is the room's (one hash slot in a cluster).
-- KEYS: 1 seq counter, 2 log stream, 3 the hash that holds the room's message count
--       (field: the room), 4 the room's pins (zset)
-- ARGV: 1 message key, 2 by (user id), 3 kind ('edit' or 'delete'), 4 new body (edit),
--       5 at, 6 target seq, 7 history length, 8 room, 9 the room's announcement channel,
--       10 the new body's search terms (edit; space-separated),
--       11 '1' when `by` moderates the room (anyone's message),
--       12 what the key of each upload's claim in the room starts with, 13 how the room
--       announces ('PUBLISH', or 'SPUBLISH' in a cluster)
-- An edit keeps the message's files' search terms (`aterms`); a delete marks its files'
-- claims removed, and the node their records (`uploads.rs`).
-- The message leaves the search terms it was filed under; an edit files it under the new.
-- In a private room's own index (its hash names one, `tp`) that happens here; in the index
-- every public room shares, the node does it after, from the answer. A delete unpins it.
-- Returns {seq, sid, old terms, new terms, removed uploads} on success (sid '' when the
-- message is not in the shared index: the node has nothing to refile; removed uploads
-- space-separated ids), {-1} not found, {-2} not the author, {-3} already deleted.
local author = redis.call('HGET', ARGV[1], 'author_id')
if not author then
  return {-1}
end
if author ~= ARGV[2] and ARGV[11] ~= '1' then
  return {-2}
end
if redis.call('HGET', ARGV[1], 'deleted') == '1' then
  return {-3}
end
local seq = redis.call('INCR', KEYS[1])
local found_as = ARGV[8] .. ':' .. ARGV[6]
local filed = redis.call('HMGET', ARGV[1], 'sid', 'terms', 'tp', 'aterms', 'aids')
local terms = ''
if ARGV[3] == 'edit' and filed[1] then
  terms = ARGV[10] .. ' ' .. (filed[4] or '')
end
redis.call('HSET', ARGV[1], 'terms', terms)
local tp = filed[3]
if tp then
  for term in string.gmatch(filed[2] or '', '%S+') do
    redis.call('ZREM', tp .. term, found_as)
  end
  for term in string.gmatch(terms, '%S+') do
    redis.call('ZADD', tp .. term, filed[1], found_as)
  end
end
if ARGV[3] == 'edit' then
  redis.call('HSET', ARGV[1], 'body', ARGV[4], 'edited_at', ARGV[5])
else
  redis.call('HSET', ARGV[1], 'body', '', 'deleted', '1', 'reactions', '[]')
  redis.call('HDEL', ARGV[1], 'pinned', 'attachments', 'aids', 'aterms')
  redis.call('ZREM', KEYS[4], ARGV[6])
  for id in string.gmatch(filed[5] or '', '%S+') do
    redis.call('HSET', ARGV[12] .. id, 'removed', '1')
  end
  redis.call('HINCRBY', KEYS[3], ARGV[8], -1)
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], seq .. '-0',
  'kind', ARGV[3], 'target', ARGV[6], 'at', ARGV[5])
redis.call(ARGV[13], ARGV[9], '{"type":"logged","seq":' .. seq .. '}')
local removed = ARGV[3] == 'delete' and (filed[5] or '') or ''
if tp or not filed[1] then
  return {seq, '', '', '', removed}
end
return {seq, filed[1], filed[2] or '', terms, removed}
