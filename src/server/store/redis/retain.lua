-- Retention: removes a room's oldest messages sent before a horizon, at most a batch per
-- call, as the history trim in append.lua does (idempotency keys, search entries, files
-- marked to go, the count) and unpinning them; then cuts the log stream below the first
-- event kept and remembers how far (`cut`: seqs never go back, and a resume from below it
-- starts over).
-- Every key it declares is the room's (one hash slot in a cluster); the node takes the
-- removed messages out of the index every public room shares, and an emptied room out of
-- the room list, from the answer.
-- KEYS: 1 message order (zset), 2 client ids (hash), 3 the hash that holds the room's
--       message count (field: the room), 4 log stream, 5 the room's cut (string), 6 the
--       room's pins (zset), 7 the room's seq counter
-- ARGV: 1 room, 2 message key prefix, 3 horizon (ms), 4 batch size, 5 what the key of each
--       upload's claim in the room starts with
-- Returns {messages removed, the newest seq cut (0: none), 1 if more may be left else 0,
-- 1 if no message is left else 0, the ids of the removed messages' files (space-separated:
-- their claims are marked removed here, their records by the node), then
-- 'room:seq term term...' for each removed message filed in the shared index}.
-- Every event below the first message kept is about a message removed (an event comes
-- after the message it is about), so the log is cut there; events after it about removed
-- messages stay in the stream and are left out of replays, as after the history trim.
local batch = tonumber(ARGV[4])
local horizon = tonumber(ARGV[3])
local oldest = redis.call('ZRANGE', KEYS[1], 0, batch - 1)
local removed = 0
local unfiled = {}
local uploads = {}
local through = 0
local kept = nil
for _, seq in ipairs(oldest) do
  local key = ARGV[2] .. seq
  local m = redis.call('HMGET', key, 'sent_at', 'author_id', 'client_id', 'terms', 'tp', 'aids',
    'deleted')
  if m[1] and tonumber(m[1]) >= horizon then
    kept = tonumber(seq)
    break
  end
  if m[2] and m[3] and m[3] ~= '' then
    redis.call('HDEL', KEYS[2], m[2] .. ':' .. m[3])
  end
  local filed_as = ARGV[1] .. ':' .. seq
  if m[5] then
    for term in string.gmatch(m[4] or '', '%S+') do
      redis.call('ZREM', m[5] .. term, filed_as)
    end
  elseif (m[4] or '') ~= '' then
    unfiled[#unfiled + 1] = filed_as .. ' ' .. m[4]
  end
  for id in string.gmatch(m[6] or '', '%S+') do
    redis.call('HSET', ARGV[5] .. id, 'removed', '1')
    uploads[#uploads + 1] = id
  end
  if m[7] == '0' then
    redis.call('HINCRBY', KEYS[3], ARGV[1], -1)
  end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[1], seq)
  redis.call('ZREM', KEYS[6], seq)
  removed = removed + 1
  through = tonumber(seq)
end
if removed == 0 then
  return {0, 0, 0, 0, ''}
end
local more, emptied = 0, 0
if kept then
  through = kept - 1
elseif #oldest == batch then
  more = 1
else
  -- No message left: every event is about one removed.
  through = tonumber(redis.call('GET', KEYS[7]) or through)
  emptied = 1
end
redis.call('XTRIM', KEYS[4], 'MINID', (through + 1) .. '-0')
local cut = tonumber(redis.call('GET', KEYS[5]) or '0')
if through > cut then
  redis.call('SET', KEYS[5], through)
end
return {removed, through, more, emptied, table.concat(uploads, ' '), unpack(unfiled)}
