-- POST /v1/shows/{show}/holds, one hold per request, rotating through the fan
-- tokens so that no fan reaches the show's per-fan limit.
--
--   wrk ... -s holds.lua URL -- SHOW TOKENS_FILE MODE [IDS_PREFIX QUOTA]
--
-- MODE "ga": {"general_admission":{"area":"GA","quantity":1}}; 201 expected.
-- MODE "seat": {"best_available":{"count":1,"section":"S"}}; 201 expected.
-- With IDS_PREFIX (the set-up of the confirmation scenario), each thread
-- writes the ids of its new holds to IDS_PREFIX.<thread> and stops once it
-- made QUOTA holds or the section has no seat left (409 not_enough_seats,
-- then expected); see common.stop_thread.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

function setup(thread) common.setup(thread) end

local requests_ = {}
local next_ = 1
local ids_prefix, ids_file, quota
local stopped = false
created, sold_out, unexpected = 0, 0, 0

function init(args)
  local show, tokens_path, mode = args[1], args[2], args[3]
  local body
  if mode == "ga" then
    body = '{"general_admission":{"area":"GA","quantity":1}}'
  elseif mode == "seat" then
    body = '{"best_available":{"count":1,"section":"S"}}'
  else
    error("MODE must be ga or seat")
  end
  local tokens = common.read_lines(tokens_path)
  for i, t in ipairs(tokens) do
    requests_[i] = wrk.format("POST", "/v1/shows/" .. show .. "/holds",
      {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}, body)
  end
  -- Threads start at different fans.
  next_ = (thread_index * 7919) % #requests_ + 1
  if args[4] then
    ids_prefix = args[4]
    ids_file = assert(io.open(ids_prefix .. "." .. thread_index, "w"))
    quota = tonumber(args[5])
  end
end

local calls = 0
function request()
  -- wrk calls request() once before the run on thread 0 (to check the script):
  -- the busy span starts at the first real one.
  calls = calls + 1
  if first_us == nil and ids_file and (thread_index > 0 or calls > 1) then first_us = common.now_us() end
  local r = requests_[next_]
  next_ = next_ % #requests_ + 1
  return r
end

local function stop()
  if stopped then return end
  stopped = true
  ids_file:flush()
  common.stop_thread(ids_prefix .. ".done")
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    if ids_file then
      last_us = common.now_us()
      ids_file:write(body:match('"id":"(h[^"]+)"'), "\n")
      if created >= quota then stop() end
    end
  elseif ids_file and status == 409 and body:find("not_enough_seats", 1, true) then
    last_us = common.now_us()
    sold_out = sold_out + 1
    stop()
  else
    unexpected = unexpected + 1
    if unexpected <= 3 then io.stderr:write("holds: unexpected ", status, " ", body, "\n") end
  end
end

function done(summary, latency, requests)
  common.report(os.getenv("BENCH_SCENARIO") or "holds", summary, latency,
                common.sum("created") + common.sum("sold_out"), common.sum("unexpected"))
end
