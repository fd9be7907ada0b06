-- GET /v1/shows/{show}/availability while nothing changes: the server answers
-- from its body cached per version.
--
--   wrk ... -s availability.lua URL -- SHOW [ETAG [ENCODING]]
--
-- Without ETAG (or with an empty one): 200 expected (statuses > 399 count as
-- unexpected; no response() callback, so wrk does not copy the bodies).
-- With ETAG (e.g. "\"42\"", quotes included): sends If-None-Match and counts
-- every status but 304 as unexpected.
-- With ENCODING (e.g. gzip): sends Accept-Encoding: ENCODING.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

function setup(thread) common.setup(thread) end

local request_
not_modified, unexpected = 0, 0

function init(args)
  local headers = {}
  local etag = args[2] ~= "" and args[2] or nil
  if etag then headers["If-None-Match"] = etag end
  if args[3] then headers["Accept-Encoding"] = args[3] end
  request_ = wrk.format("GET", "/v1/shows/" .. args[1] .. "/availability", headers)
  if not etag then response = nil end
end

function request() return request_ end

function response(status, headers, body)
  if status == 304 then
    not_modified = not_modified + 1
  else
    unexpected = unexpected + 1
    if unexpected <= 3 then io.stderr:write("availability: unexpected ", status, "\n") end
  end
end

function done(summary, latency, requests)
  local name = os.getenv("BENCH_SCENARIO") or "availability"
  if common.sum("not_modified") + common.sum("unexpected") > 0 then
    common.report(name, summary, latency, common.sum("not_modified"), common.sum("unexpected"))
  else
    common.report(name, summary, latency)
  end
end
