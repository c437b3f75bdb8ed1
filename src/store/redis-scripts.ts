import { LuaScript } from './lua-script.js';

/*
 * The Redis store's atomic operations. Lists (categories, sources) are JSON arrays
 * of strings kept in first-seen order. Keys that depend on data (per-category
 * indexes, items and claims found while pruning) are built inside the scripts from
 * prefixes passed in ARGV, so these scripts target a standalone Redis, not Cluster.
 * Strings are only compared for equality here: Lua's `<` follows the server locale.
 */

const LIST_HELPERS = `
local function decode_list(raw)
  if not raw then return {} end
  return cjson.decode(raw)
end
-- cjson would write an empty table as {}, so arrays are written by hand.
local function encode_list(list)
  local parts = {}
  for i, v in ipairs(list) do parts[i] = cjson.encode(v) end
  return '[' .. table.concat(parts, ',') .. ']'
end
local function add_unique(list, value)
  for _, v in ipairs(list) do
    if v == value then return false end
  end
  list[#list + 1] = value
  return true
end
`;

/**
 * Claims a key for a source.
 * KEYS: claim hash, item hash, unstored-claims zset, source item counters, category set,
 *       pending-work zset.
 * ARGV: key, source id, categories (JSON), now ms, category index key prefix, work JSON
 *       (or '': none). While no item was ever saved, the work is kept on the claim
 *       (`work`) and the key is in the pending-work zset, scored by when it was handed out.
 * Returns {isNew (1|0), pending (1|0), changed category...}; categories only when a
 * stored item gained some. Pending: claimed before and no item ever saved (the claim's
 * `saved` field is '0'). A claim hash without `saved` predates the field and counts as
 * saved: its item may have been pruned, and a pruned item must not come back.
 */
export const CLAIM = new LuaScript(
  'claim',
  `${LIST_HELPERS}
local existed = redis.call('EXISTS', KEYS[1]) == 1
local claim = redis.call('HMGET', KEYS[1], 'cats', 'srcs', 'saved')
local cats, srcs = decode_list(claim[1]), decode_list(claim[2])
if add_unique(srcs, ARGV[2]) then redis.call('HINCRBY', KEYS[4], ARGV[2], 1) end
for _, c in ipairs(cjson.decode(ARGV[3])) do add_unique(cats, c) end
redis.call('HSET', KEYS[1], 'cats', encode_list(cats), 'srcs', encode_list(srcs), 'seen', ARGV[4])
if not existed then redis.call('HSET', KEYS[1], 'first', ARGV[4], 'saved', '0') end

local item = redis.call('HMGET', KEYS[2], 'cats', 'srcs', 'pubms')
if not item[3] then
  -- Not stored (yet, or any more): the claim may be forgotten once old enough.
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
  if ARGV[6] ~= '' and (not existed or claim[3] == '0') then
    redis.call('HSET', KEYS[1], 'work', ARGV[6])
    redis.call('ZADD', KEYS[6], ARGV[4], ARGV[1])
  end
  if not existed then return {1, 0} end
  if claim[3] == '0' then return {0, 1} end
  return {0, 0}
end

local icats, isrcs = decode_list(item[1]), decode_list(item[2])
local added = false
for _, c in ipairs(cats) do
  if add_unique(icats, c) then
    redis.call('ZADD', ARGV[5] .. c, item[3], ARGV[1])
    redis.call('SADD', KEYS[5], c)
    added = true
  end
end
for _, s in ipairs(srcs) do
  if add_unique(isrcs, s) then added = true end
end
if not added then return {0, 0} end
redis.call('HSET', KEYS[2], 'cats', encode_list(icats), 'srcs', encode_list(isrcs))
local out = {0, 0}
for i, c in ipairs(icats) do out[i + 2] = c end
return out
`,
);

/**
 * Upserts an item, merging categories and sources (stored copy, then incoming, then
 * claims) and keeping a stored copy's dates; records the item's sources on its claim
 * and, the first time, when it was saved (the claim's `saved` field, ms).
 * KEYS: item hash, claim hash, all index, unstored-claims zset, source item counters,
 *       category set, expiry index, pending-work zset.
 * ARGV: key, doc JSON, categories JSON, sources JSON, publishedAt, published ms,
 *       storedAt, stored ms, now ms, category index key prefix, publisher.
 * Returns the item's categories.
 */
export const SAVE_ITEM = new LuaScript(
  'save-item',
  `${LIST_HELPERS}
local cur = redis.call('HMGET', KEYS[1], 'cats', 'srcs', 'pub', 'pubms', 'stored', 'storedms')
local cats, srcs = decode_list(cur[1]), decode_list(cur[2])
local pub, pubms, stored, storedms = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if cur[4] then pub, pubms, stored, storedms = cur[3], cur[4], cur[5], cur[6] end

local claim_existed = redis.call('EXISTS', KEYS[2]) == 1
local claim = redis.call('HMGET', KEYS[2], 'cats', 'srcs', 'saved')
local ccats, csrcs = decode_list(claim[1]), decode_list(claim[2])
for _, c in ipairs(cjson.decode(ARGV[3])) do add_unique(cats, c) end
for _, c in ipairs(ccats) do add_unique(cats, c) end
for _, s in ipairs(cjson.decode(ARGV[4])) do add_unique(srcs, s) end
for _, s in ipairs(csrcs) do add_unique(srcs, s) end

-- The claim learns the item's sources too, so per-source counts see every key once.
for _, s in ipairs(srcs) do
  if add_unique(csrcs, s) then redis.call('HINCRBY', KEYS[5], s, 1) end
end
for _, c in ipairs(cats) do add_unique(ccats, c) end
redis.call('HSET', KEYS[2], 'cats', encode_list(ccats), 'srcs', encode_list(csrcs))
if not claim_existed then redis.call('HSET', KEYS[2], 'first', ARGV[9], 'seen', ARGV[9]) end
if not claim[3] or claim[3] == '0' then redis.call('HSET', KEYS[2], 'saved', ARGV[9]) end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[2], 'work')
redis.call('ZREM', KEYS[8], ARGV[1])

redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'cats', encode_list(cats), 'srcs', encode_list(srcs),
  'pub', pub, 'pubms', pubms, 'stored', stored, 'storedms', storedms, 'publisher', ARGV[11])
redis.call('ZADD', KEYS[3], pubms, ARGV[1])
for _, c in ipairs(cats) do
  redis.call('ZADD', ARGV[10] .. c, pubms, ARGV[1])
  redis.call('SADD', KEYS[6], c)
end
redis.call('ZADD', KEYS[7], math.max(tonumber(pubms), tonumber(storedms)), ARGV[1])
return cats
`,
);

/**
 * Removes up to a batch of items whose publishedAt and storedAt are both before a
 * time, from every index; their claims become forgettable.
 * KEYS: expiry index, all index, unstored-claims zset, category set.
 * ARGV: before ms, batch size, item key prefix, claim key prefix, category index key prefix.
 * Returns {items removed, changed category...}.
 */
export const PRUNE_ITEMS = new LuaScript(
  'prune-items',
  `${LIST_HELPERS}
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local seen_cat = {}
local out = {#keys}
for _, key in ipairs(keys) do
  local item = ARGV[3] .. key
  for _, c in ipairs(decode_list(redis.call('HGET', item, 'cats'))) do
    local idx = ARGV[5] .. c
    redis.call('ZREM', idx, key)
    if redis.call('ZCARD', idx) == 0 then redis.call('SREM', KEYS[4], c) end
    if not seen_cat[c] then
      seen_cat[c] = true
      out[#out + 1] = c
    end
  end
  redis.call('ZREM', KEYS[2], key)
  redis.call('ZREM', KEYS[1], key)
  redis.call('DEL', item)
  local seen = redis.call('HGET', ARGV[4] .. key, 'seen')
  if seen then redis.call('ZADD', KEYS[3], seen, key) end
end
return out
`,
);

/**
 * Forgets up to a batch of claims last seen before a time whose item is not stored.
 * KEYS: unstored-claims zset, pending-work zset.
 * ARGV: before ms, batch size, item key prefix, claim key prefix.
 * Returns {claims looked at, claims forgotten}.
 */
export const PRUNE_CLAIMS = new LuaScript(
  'prune-claims',
  `
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local forgotten = 0
for _, key in ipairs(keys) do
  redis.call('ZREM', KEYS[1], key)
  if redis.call('EXISTS', ARGV[3] .. key) == 0 then
    redis.call('DEL', ARGV[4] .. key)
    redis.call('ZREM', KEYS[2], key)
    forgotten = forgotten + 1
  end
end
return {#keys, forgotten}
`,
);

/**
 * Hands out up to a batch of pending work handed out last before a time, oldest first,
 * and marks it handed out now. An entry whose claim has no work or was saved is dropped.
 * KEYS: pending-work zset. ARGV: before ms, batch size, now ms, claim key prefix.
 * Returns {key, work JSON, key, work JSON, ...}.
 */
export const TAKE_PENDING = new LuaScript(
  'take-pending',
  `
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, key in ipairs(keys) do
  local claim = redis.call('HMGET', ARGV[4] .. key, 'work', 'saved')
  if claim[1] and claim[2] == '0' then
    redis.call('ZADD', KEYS[1], ARGV[3], key)
    out[#out + 1] = key
    out[#out + 1] = claim[1]
  else
    redis.call('ZREM', KEYS[1], key)
  end
end
return out
`,
);

/** KEYS: lease · ARGV: token, ttl ms. Takes the lease when free or already this token's; 1 when taken. */
export const ACQUIRE_LEASE = new LuaScript(
  'acquire-lease',
  `local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`,
);

/** KEYS: lease · ARGV: token. Deletes the lease only while it is still this token's. */
export const RELEASE_LEASE = new LuaScript(
  'release-lease',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
);
