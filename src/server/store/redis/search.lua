-- Finds messages filed under every search term, newest first (by search id).
-- KEYS: the terms' zsets (at least one).
-- ARGV: 1 below this search id ('+inf' for the newest), 2 how many, 3 only members that
--       start with this ('room:' for one room, '' for all), 4 the most members to examine.
-- Returns {older, member...}: the members found (`room:seq`), and the search id to ask
-- below for the next page ('' when there is nothing older).
-- It walks the smallest set from the newest and checks the other sets for each member, at
-- most ARGV[4] members per call: a page may then hold fewer than asked, with `older` set.
local smallest, size = 1, redis.call('ZCARD', KEYS[1])
for i = 2, #KEYS do
  local n = redis.call('ZCARD', KEYS[i])
  if n < size then smallest, size = i, n end
end
local wanted, cap, room = tonumber(ARGV[2]), tonumber(ARGV[4]), ARGV[3]
local found, older, examined = {}, '', 0
local max = ARGV[1] == '+inf' and '+inf' or ('(' .. ARGV[1])
while examined < cap do
  local batch = redis.call('ZREVRANGEBYSCORE', KEYS[smallest], max, '-inf',
    'WITHSCORES', 'LIMIT', 0, 100)
  if #batch == 0 then
    older = ''
    break
  end
  for j = 1, #batch, 2 do
    local member, score = batch[j], batch[j + 1]
    local fits = room == '' or string.sub(member, 1, #room) == room
    for i = 1, #KEYS do
      if not fits then break end
      if i ~= smallest and not redis.call('ZSCORE', KEYS[i], member) then fits = false end
    end
    if fits then
      if #found == wanted then
        -- One more than asked: there is an older page, below the last one shown.
        return {older, unpack(found)}
      end
      found[#found + 1] = member
      older = score
    end
    examined = examined + 1
    max = '(' .. score
    if examined >= cap then
      older = score
      break
    end
  end
end
if #found < wanted and examined < cap then older = '' end
return {older, unpack(found)}
