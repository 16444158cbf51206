-- Finds messages filed under every search term, newest first (by search id), in the
-- indexes a person may read: the index every public room shares, and the own index of
-- each private room they are a member of (the caller names them). Nothing of a room they
-- may not read is ever examined, so neither the results nor `older` nor the work done
-- depends on what such a room holds.
-- KEYS: 1 the private rooms (set), then each index's term zsets, ARGV[5] per index.
-- ARGV: 1 below this search id ('+inf' for the newest), 2 how many, 3 in the shared index,
--       only members that start with this ('room:' for one room, '' for all), 4 the most
--       members to examine per index, 5 how many terms, 6 '1' when the first index is
--       the shared one.
-- Returns {older, member...}: the members found (`room:seq`), and the member to ask below
-- for the next page ('' when there is nothing older).
-- Each index is walked from its newest entry, checking the other term sets for each member,
-- at most ARGV[4] members: a page may then hold fewer than asked, with `older` set.
local wanted, cap, room, terms = tonumber(ARGV[2]), tonumber(ARGV[4]), ARGV[3], tonumber(ARGV[5])
local first_max = ARGV[1] == '+inf' and '+inf' or ('(' .. ARGV[1])
local private = {}

-- Whether `member` belongs to a private room: filed in the shared index before private
-- rooms had their own, and skipped there.
local function is_private(member)
  local name = string.match(member, '^(.*):[^:]*$')
  if private[name] == nil then
    private[name] = redis.call('SISMEMBER', KEYS[1], name) == 1
  end
  return private[name]
end

-- Walks one index (its term keys from KEYS[first]). Returns the fits found (at most
-- `wanted`, each {member, score}), and, when there may be more, the member and score down
-- to which it looked ({} when it looked at everything).
local function walk(first, filter, shared)
  local smallest, size = first, redis.call('ZCARD', KEYS[first])
  for i = first + 1, first + terms - 1 do
    local n = redis.call('ZCARD', KEYS[i])
    if n < size then smallest, size = i, n end
  end
  local fits, examined, max = {}, 0, first_max
  while true do
    local batch = redis.call('ZREVRANGEBYSCORE', KEYS[smallest], max, '-inf',
      'WITHSCORES', 'LIMIT', 0, 100)
    if #batch == 0 then return fits, {} end
    for j = 1, #batch, 2 do
      local member, score = batch[j], tonumber(batch[j + 1])
      max = '(' .. batch[j + 1]
      local legacy = shared and is_private(member)
      local fits_it = not legacy and (filter == '' or string.sub(member, 1, #filter) == filter)
      for i = first, first + terms - 1 do
        if not fits_it then break end
        if i ~= smallest and not redis.call('ZSCORE', KEYS[i], member) then fits_it = false end
      end
      if fits_it then
        if #fits == wanted then
          -- One more than asked: there is more below the last one kept.
          return fits, {fits[#fits][1], fits[#fits][2]}
        end
        fits[#fits + 1] = {member, score}
      end
      if not legacy then
        examined = examined + 1
        if examined >= cap then return fits, {member, score} end
      end
    end
  end
end

local found, bound = {}, nil
local indexes = (#KEYS - 1) / terms
for n = 1, indexes do
  local first = 2 + (n - 1) * terms
  local shared = n == 1 and ARGV[6] == '1'
  local fits, stop = walk(first, n == 1 and room or '', shared)
  for _, fit in ipairs(fits) do found[#found + 1] = fit end
  if stop[1] and (bound == nil or stop[2] > bound[2]) then bound = stop end
end
-- Only what every index has looked at is certain: results down to the highest stop.
table.sort(found, function(a, b) return a[2] > b[2] end)
local members, last = {}, nil
for _, fit in ipairs(found) do
  if #members == wanted or (bound ~= nil and fit[2] < bound[2]) then break end
  members[#members + 1] = fit[1]
  last = fit[1]
end
if #members == wanted and (#found > wanted or bound ~= nil) then
  return {last, unpack(members)}
end
if bound ~= nil then
  return {bound[1], unpack(members)}
end
return {'', unpack(members)}
