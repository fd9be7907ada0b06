-- Shared helpers of the HTTP benchmark scripts (loaded with dofile by each
-- scenario script; wrk gives every thread its own Lua state).
--
-- Every scenario prints one machine-readable line from done():
--   RESULT scenario=<name> requests=N duration_s=S rps=R p50_ms=.. p90_ms=..
--          p99_ms=.. p999_ms=.. max_ms=.. ok=N unexpected=N socket_errors=N
-- `ok` counts the responses the scenario expects (e.g. 201), `unexpected`
-- every other completed response; run.sh reads these lines.
local M = {}

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec* tp);
]]
local ts = ffi.new("bench_timespec")

-- CLOCK_MONOTONIC in microseconds (wrk gives scripts no clock).
function M.now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

-- A thread that stops before wrk's -d elapses: wrk keeps sleeping until -d
-- (or SIGINT), so its own duration overstates the run. Such threads record
-- their first request and last response (globals first_us, last_us) and
-- leave MARKER.<thread> behind when they stop; run.sh interrupts wrk once
-- every thread left one, and the rate uses the span the threads were busy.
function M.mark_stopped(marker)
  local f = io.open(marker .. "." .. thread_index, "w")
  if f then f:close() end
end

function M.stop_thread(marker)
  M.mark_stopped(marker)
  wrk.thread:stop()
end

-- The busy span over all threads, in microseconds; nil if none recorded it.
function M.busy_us()
  local first, last
  for _, t in ipairs(M.threads) do
    local f, l = t:get("first_us"), t:get("last_us")
    if f and l then
      first = first and math.min(first, f) or f
      last = last and math.max(last, l) or l
    end
  end
  if first and last and last > first then return last - first end
  return nil
end

-- The lines of a file, without blanks; an error if it cannot be read.
function M.read_lines(path)
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  local out = {}
  for line in f:lines() do
    if #line > 0 then out[#out + 1] = line end
  end
  f:close()
  return out
end

-- setup() bookkeeping: numbers the threads 0..T-1 and keeps them for done().
M.threads = {}
function M.setup(thread)
  thread:set("thread_index", #M.threads)
  M.threads[#M.threads + 1] = thread
end

-- Sum of a per-thread global over all threads (read in done()).
function M.sum(name)
  local total = 0
  for _, t in ipairs(M.threads) do total = total + (t:get(name) or 0) end
  return total
end

local function ms(us) return us / 1000.0 end

-- Prints the human summary and the RESULT line. `ok` and `unexpected` are the
-- scenario's own counts (from response()), or nil to derive them from wrk's
-- summary (status > 399 counted as unexpected).
function M.report(name, summary, latency, ok, unexpected)
  local e = summary.errors
  if ok == nil then
    unexpected = e.status
    ok = summary.requests - e.status
  end
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local duration_s = (M.busy_us() or summary.duration) / 1e6
  local rps = summary.requests / duration_s
  io.write(string.format(
    "%s: %d requests in %.2f s = %.0f req/s; latency p50 %.3f ms, p90 %.3f ms, " ..
    "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms; expected %d, unexpected %d, socket errors %d\n",
    name, summary.requests, duration_s, rps, ms(latency:percentile(50)), ms(latency:percentile(90)),
    ms(latency:percentile(99)), ms(latency:percentile(99.9)), ms(latency.max), ok, unexpected,
    socket_errors))
  io.write(string.format(
    "RESULT scenario=%s requests=%d duration_s=%.3f rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f " ..
    "p999_ms=%.3f max_ms=%.3f ok=%d unexpected=%d socket_errors=%d\n",
    name, summary.requests, duration_s, rps, ms(latency:percentile(50)), ms(latency:percentile(90)),
    ms(latency:percentile(99)), ms(latency:percentile(99.9)), ms(latency.max), ok, unexpected,
    socket_errors))
end

return M
