-- Adds or takes back a reaction on a message that is not deleted, logging a `reaction` event
-- with the room's next seq when it changes something. The rules are the domain's
-- (`ReactionSets::add`/`remove` in src/domain/reaction_sets.rs): one reaction per person
-- and emoji, at most ARGV[10] different emoji per message and ARGV[11] reactions per person.
-- KEYS: 1 seq counter, 2 log stream
-- ARGV: 1 message key, 2 emoji, 3 user id, 4 user name, 5 op ('add' or 'remove'), 6 at,
--       7 target seq, 8 history length, 9 the room's announcement channel,
--       10 the most emoji per message, 11 the most reactions per person, 12 the event's data,
--       13 how the room announces ('PUBLISH', or 'SPUBLISH' in a cluster)
-- The message's `reactions_at` becomes the event's seq: its reactions count every event up
-- to it (a page applies only later ones).
-- Returns {seq} when logged, {0} when nothing changed, {-1} not found, {-3} deleted,
-- {-4} too many emoji on the message, {-5} too many reactions by this person.
local state = redis.call('HMGET', ARGV[1], 'deleted', 'reactions')
if not state[1] then
  return {-1}
end
if state[1] == '1' then
  return {-3}
end
local groups = {}
if state[2] and state[2] ~= '' and state[2] ~= '[]' then
  groups = cjson.decode(state[2])
end
local emoji, id = ARGV[2], ARGV[3]
local at_group, has, mine = nil, false, 0
for i, group in ipairs(groups) do
  local reacted = false
  for _, user in ipairs(group.users) do
    if user.id == id then
      reacted = true
    end
  end
  if reacted then
    mine = mine + 1
  end
  if group.emoji == emoji then
    at_group, has = i, reacted
  end
end
if ARGV[5] == 'add' then
  if has then
    return {0}
  end
  if mine >= tonumber(ARGV[11]) then
    return {-5}
  end
  if not at_group and #groups >= tonumber(ARGV[10]) then
    return {-4}
  end
  local user = {id = id, name = ARGV[4]}
  if at_group then
    table.insert(groups[at_group].users, user)
  else
    table.insert(groups, {emoji = emoji, users = {user}})
  end
else
  if not has then
    return {0}
  end
  local kept = {}
  for _, user in ipairs(groups[at_group].users) do
    if user.id ~= id then
      table.insert(kept, user)
    end
  end
  if #kept == 0 then
    table.remove(groups, at_group)
  else
    groups[at_group].users = kept
  end
end
-- An empty Lua table would encode as an object.
local encoded = '[]'
if #groups > 0 then
  encoded = cjson.encode(groups)
end
local seq = redis.call('INCR', KEYS[1])
redis.call('HSET', ARGV[1], 'reactions', encoded, 'reactions_at', seq)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], seq .. '-0',
  'kind', 'reaction', 'target', ARGV[7], 'at', ARGV[6], 'data', ARGV[12])
redis.call(ARGV[13], ARGV[9], '{"type":"logged","seq":' .. seq .. '}')
return {seq}
