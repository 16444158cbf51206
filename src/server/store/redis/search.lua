-- Finds messages filed under every search term, newest first (by search id), in one index
-- a person may read: the index every public room shares, or a private room's own (the
-- caller walks each index they may read and merges the answers). Nothing of a room they
-- may not read is ever examined, so neither the results nor where it stopped nor the work
-- done depends on what such a room holds.
-- KEYS: the shared index's private rooms (set) first when ARGV[5] is '1', then the index's
--       term zsets.
-- ARGV: 1 below this search id ('+inf' for the newest), 2 how many, 3 only members that
--       start with this ('room:' for one room, '' for all), 4 the most members to examine,
--       5 '1' when the index is the shared one.
-- Returns {stop, stop score, member, score, ...}: the members found (`room:seq`, at most
-- ARGV[2]) with their search ids, and, when there may be more, the member and search id
-- down to which it looked ('', '' when it looked at everything).
-- The index is walked from its newest entry, checking the other term sets for each member,
-- at most ARGV[4] members: an answer may then hold fewer than asked, with a stop.
local wanted, cap, filter = tonumber(ARGV[2]), tonumber(ARGV[4]), ARGV[3]
local shared = ARGV[5] == '1'
local first = shared and 2 or 1
local max = ARGV[1] == '+inf' and '+inf' or ('(' .. ARGV[1])
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

local function answer(fits, stop)
  local out = {stop[1] or '', stop[2] or ''}
  for _, fit in ipairs(fits) do
    out[#out + 1] = fit[1]
    out[#out + 1] = fit[2]
  end
  return out
end

local smallest, size = first, redis.call('ZCARD', KEYS[first])
for i = first + 1, #KEYS do
  local n = redis.call('ZCARD', KEYS[i])
  if n < size then smallest, size = i, n end
end
local fits, examined = {}, 0
while true do
  local batch = redis.call('ZREVRANGEBYSCORE', KEYS[smallest], max, '-inf',
    'WITHSCORES', 'LIMIT', 0, 100)
  if #batch == 0 then return answer(fits, {}) end
  for j = 1, #batch, 2 do
    local member, score = batch[j], batch[j + 1]
    max = '(' .. score
    local legacy = shared and is_private(member)
    local fits_it = not legacy and (filter == '' or string.sub(member, 1, #filter) == filter)
    for i = first, #KEYS do
      if not fits_it then break end
      if i ~= smallest and not redis.call('ZSCORE', KEYS[i], member) then fits_it = false end
    end
    if fits_it then
      if #fits == wanted then
        -- One more than asked: there is more below the last one kept.
        return answer(fits, fits[#fits])
      end
      fits[#fits + 1] = {member, score}
    end
    if not legacy then
      examined = examined + 1
      if examined >= cap then return answer(fits, {member, score}) end
    end
  end
end
