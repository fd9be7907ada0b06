-- POST /v1/holds/{id}/confirm (X-Admin-Key), each hold id once: every answer
-- is a booking made durable (fsync'd) before its 201.
--
--   wrk ... -s confirm.lua URL -- IDS_FILE ADMIN_KEY THREADS MARKER
--
-- Thread k of THREADS confirms the ids on lines k+1, k+1+THREADS, ... Once
-- its ids are all sent, its connections wait (delay()) and the thread stops
-- when the last answer came (see common.stop_thread), so no id is confirmed
-- twice and none is left unanswered. Every status but 201 is unexpected
-- (an idle GET /healthz, should one be sent, is left out of the counts).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

function setup(thread) common.setup(thread) end

local admin_key, marker
local mine_ = {}  -- this thread's ids
local reserved_, sent_ = 0, 0
local idle_request
confirmed, unexpected, spare = 0, 0, 0

function init(args)
  local all = common.read_lines(args[1])
  admin_key = args[2]
  local step = tonumber(args[3])
  marker = args[4]
  for i = thread_index + 1, #all, step do mine_[#mine_ + 1] = all[i] end
  idle_request = wrk.format("GET", "/healthz")
  if #mine_ == 0 then common.mark_stopped(marker) end  -- idle; wrk is interrupted
end

-- wrk calls delay() once before each request(): an id is reserved here, so
-- connections with nothing left to send wait far longer than any run.
function delay()
  if reserved_ >= #mine_ then return 3600 * 1000 end
  reserved_ = reserved_ + 1
  return 0
end

-- Consumes an id only after delay() reserved one: wrk also calls request()
-- once before the run (on thread 0, to check the script), and that call must
-- not use up an id.
function request()
  if sent_ >= reserved_ then return idle_request end
  if first_us == nil then first_us = common.now_us() end
  sent_ = sent_ + 1
  local id = mine_[sent_]
  return wrk.format("POST", "/v1/holds/" .. id .. "/confirm",
    {["X-Admin-Key"] = admin_key, ["Content-Type"] = "application/json"},
    '{"payment_ref":"bench-' .. id .. '"}')
end

function response(status, headers, body)
  if status == 200 and body:find('"status":"ok"', 1, true) then
    spare = spare + 1  -- an idle request's answer, not a confirmation
    return
  end
  last_us = common.now_us()
  if status == 201 then
    confirmed = confirmed + 1
  else
    unexpected = unexpected + 1
    if unexpected <= 3 then io.stderr:write("confirm: unexpected ", status, " ", body, "\n") end
  end
  if confirmed + unexpected >= #mine_ then common.stop_thread(marker) end
end

function done(summary, latency, requests)
  summary.requests = summary.requests - common.sum("spare")
  common.report(os.getenv("BENCH_SCENARIO") or "confirm", summary, latency, common.sum("confirmed"),
                common.sum("unexpected"))
end
