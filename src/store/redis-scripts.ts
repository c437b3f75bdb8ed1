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
 * Reads the same fields of many hashes in one call.
 * KEYS: hashes. ARGV: field names. Returns one list of values (false: absent) per hash.
 */
export const READ_HASHES = new LuaScript(
  'read-hashes',
  `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('HMGET', key, unpack(ARGV)) end
return out
`,
);

/**
 * Compare-and-set of a batch of writes worked out in TypeScript. Every hash a write
 * depends on carries a `rev` field, which each write that changes the hash sets to the
 * next value (the writer includes it in its HSET of that hash); an entry's writes run
 * only while every hash it read still has the `rev` it read (absent: ''). The merge
 * rules themselves live in TypeScript (src/store/item-merge.ts), not here.
 * ARGV[1]: JSON array of entries {g: [[hash, rev]...], w: [[command, arg...]...]},
 * full key names (server prefix included) in both. One JSON argument rather than
 * thousands of small ones: the client encodes it natively in one call, where each
 * argument of a command costs it a step of its own. A write's argument that is a number
 * n (every other argument is a string) stands for ARGV[n]: the large values (documents,
 * work) follow as arguments of their own, neither escaped into the JSON nor parsed here.
 * Returns one 1 (written) or 0 (a hash changed since it was read: read again) per entry.
 */
export const APPLY_IF_UNCHANGED = new LuaScript(
  'apply-if-unchanged',
  `
local entries = cjson.decode(ARGV[1])
local out = {}
for i, entry in ipairs(entries) do
  local ok = true
  for _, g in ipairs(entry.g) do
    if (redis.call('HGET', g[1], 'rev') or '') ~= g[2] then
      ok = false
      break
    end
  end
  if ok then
    for _, w in ipairs(entry.w) do
      for j = 2, #w do
        if type(w[j]) == 'number' then w[j] = ARGV[w[j]] end
      end
      redis.call(unpack(w))
    end
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
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
 * and marks it handed out now. An entry whose claim has no work is dropped (a save
 * removes the work: new work, or the update of an article that changed at its source).
 * KEYS: pending-work zset. ARGV: before ms, batch size, now ms, claim key prefix.
 * Returns {key, work JSON, key, work JSON, ...}.
 */
export const TAKE_PENDING = new LuaScript(
  'take-pending',
  `
local keys = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, key in ipairs(keys) do
  local work = redis.call('HGET', ARGV[4] .. key, 'work')
  if work then
    redis.call('ZADD', KEYS[1], ARGV[3], key)
    out[#out + 1] = key
    out[#out + 1] = work
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
