-- Stores a message and logs its `message` event with the room's next seq, in one step.
-- Every key it declares is the room's (one hash slot in a cluster, docs/redis-cluster.md);
-- what is global (the room list, the index every public room shares) the node writes
-- after it, from what it returns.
-- KEYS: 1 seq counter, 2 log stream, 3 message order (zset), 4 client ids (hash),
--       5 the hash that holds the room's message count (field: the room),
--       6 the room's private hash, 7 the room's members
-- ARGV: 1 room, 2 author_id, 3 author, 4 body, 5 sent_at, 6 client_id ('' for none),
--       7 message key prefix, 8 history length, 9 the room's announcement channel,
--       10 the seq of the message it answers ('' for none),
--       11 the people it mentions (JSON, '' for none),
--       12 the search terms it is filed under (space-separated, '' for none),
--       13 its search id (a number the node took from the global counter: it grows with
--       every message, across rooms),
--       14 '1': refuse the author unless the room is public or they are its member,
--       15 what the room's own search terms' keys start with (a private room's messages
--       are filed there, never in the index every room shares),
--       16 '1': posted by a webhook (a bot), 17 its files (JSON, '' for none),
--       18 its files' search terms (space-separated; also in 12), 19 what the key of each
--       upload's claim in the room starts with, 20 the ids of its uploads
--       (space-separated, '' for none), 21 how the room announces ('PUBLISH', or
--       'SPUBLISH' in a cluster: the channel is the room's shard's)
-- Files: each upload's claim in the room (written when it was uploaded to this room) must
-- be the author's, not sent and not removed; it then names the message (`seq`), and the
-- node marks the upload's own record sent (`uploads.rs`). The message keeps the
-- files' JSON (`attachments`), ids (`aids`: a delete or the trim removes them) and
-- search terms (`aterms`: an edit keeps them).
-- Search: `sid`, `terms` and (private rooms) `tp` in its hash say where the message is
-- filed, so an edit, a delete or the history trim can take it out again. A private room's
-- message is filed here, in `P:{room}:search:w:{term}`; a public room's by the node,
-- under `P:search:w:{term}` (a zset of `room:seq` by search id).
-- Returns {1, seq, private, removed uploads, trimmed...} for a new message: private is 1
-- for a private room (the node neither lists it nor files it in the shared index), the
-- removed uploads are the ids (space-separated) of the files of messages the trim removed,
-- whose claims it marked removed (the node marks their records), and each trimmed entry is
-- 'room:seq term term...', a message the trim removed that the node takes out of the
-- shared index. {0, seq} for a client_id this author sent before, {2, 0} when refused
-- (nothing stored), {3, 0} for an upload it may not carry.
-- The idempotency key is scoped to its author (field `author_id:client_id`): someone who
-- learns another person's key cannot get that person's message back as their own.
local client_id = ARGV[6]
local cid_field = ARGV[2] .. ':' .. client_id
if client_id ~= '' then
  local seen = redis.call('HGET', KEYS[4], cid_field)
  if seen then
    return {0, tonumber(seen)}
  end
end
local private = redis.call('EXISTS', KEYS[6])
if ARGV[14] == '1' and private == 1 and redis.call('HEXISTS', KEYS[7], ARGV[2]) == 0 then
  return {2, 0}
end
for id in string.gmatch(ARGV[20], '%S+') do
  local claim = redis.call('HMGET', ARGV[19] .. id, 'owner', 'seq', 'removed')
  if claim[1] ~= ARGV[2] or claim[2] or claim[3] then
    return {3, 0}
  end
end
local seq = redis.call('INCR', KEYS[1])
redis.call('HSET', ARGV[7] .. seq, 'author_id', ARGV[2], 'author', ARGV[3], 'body', ARGV[4],
  'sent_at', ARGV[5], 'deleted', '0', 'client_id', client_id)
if ARGV[10] ~= '' then
  redis.call('HSET', ARGV[7] .. seq, 'reply_to', ARGV[10])
end
if ARGV[16] == '1' then
  redis.call('HSET', ARGV[7] .. seq, 'bot', '1')
end
if ARGV[11] ~= '' then
  redis.call('HSET', ARGV[7] .. seq, 'mentions', ARGV[11])
end
if ARGV[20] ~= '' then
  redis.call('HSET', ARGV[7] .. seq, 'attachments', ARGV[17], 'aids', ARGV[20], 'aterms', ARGV[18])
  for id in string.gmatch(ARGV[20], '%S+') do
    redis.call('HSET', ARGV[19] .. id, 'seq', seq)
  end
end
redis.call('HSET', ARGV[7] .. seq, 'sid', ARGV[13], 'terms', ARGV[12])
if private == 1 then
  redis.call('HSET', ARGV[7] .. seq, 'tp', ARGV[15])
  for term in string.gmatch(ARGV[12], '%S+') do
    redis.call('ZADD', ARGV[15] .. term, ARGV[13], ARGV[1] .. ':' .. seq)
  end
end
redis.call('ZADD', KEYS[3], seq, seq)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], seq .. '-0',
  'kind', 'message', 'target', seq, 'at', ARGV[5])
-- Announced in the same step: every node hears the room's events in seq order.
redis.call(ARGV[21], ARGV[9], '{"type":"logged","seq":' .. seq .. '}')
if client_id ~= '' then
  redis.call('HSET', KEYS[4], cid_field, seq)
end
redis.call('HINCRBY', KEYS[5], ARGV[1], 1)

-- Keep at most `history` messages: forget the oldest, with their idempotency keys.
local answer = {1, seq, private, ''}
local removed = {}
local history = tonumber(ARGV[8])
local stored = redis.call('ZCARD', KEYS[3])
if stored > history then
  local old = redis.call('ZRANGE', KEYS[3], 0, stored - history - 1)
  for _, old_seq in ipairs(old) do
    local old_key = ARGV[7] .. old_seq
    local ids = redis.call('HMGET', old_key, 'author_id', 'client_id', 'terms', 'tp', 'aids')
    if ids[1] and ids[2] and ids[2] ~= '' then
      redis.call('HDEL', KEYS[4], ids[1] .. ':' .. ids[2])
    end
    local filed_as = ARGV[1] .. ':' .. old_seq
    if ids[4] then
      for term in string.gmatch(ids[3] or '', '%S+') do
        redis.call('ZREM', ids[4] .. term, filed_as)
      end
    elseif (ids[3] or '') ~= '' then
      answer[#answer + 1] = filed_as .. ' ' .. ids[3]
    end
    for id in string.gmatch(ids[5] or '', '%S+') do
      redis.call('HSET', ARGV[19] .. id, 'removed', '1')
      removed[#removed + 1] = id
    end
    if redis.call('HGET', old_key, 'deleted') == '0' then
      redis.call('HINCRBY', KEYS[5], ARGV[1], -1)
    end
    redis.call('DEL', old_key)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, stored - history - 1)
  answer[4] = table.concat(removed, ' ')
end
return answer
