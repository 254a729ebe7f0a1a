-- wrk script of bench/ledger.mjs: POSTs pre-made ledger events (one request body per line of
-- $LEDGER_BODIES: an event or a batch) to /v1/events, each wrk thread its own share of the
-- lines ($LEDGER_THREADS threads), so no event is sent twice until a thread runs out (then it
-- starts over and the server answers duplicates: bench/ledger.mjs counts stored rows, not
-- requests). Prints one JSON line with the counts and latency percentiles (microseconds).
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  local nthreads = tonumber(os.getenv("LEDGER_THREADS"))
  bodies = {}
  local i = 0
  for line in io.lines(os.getenv("LEDGER_BODIES")) do
    if i % nthreads == tid then bodies[#bodies + 1] = line end
    i = i + 1
  end
  n = 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  return wrk.format("POST", "/v1/events", headers, bodies[((n - 1) % #bodies) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"non2xx":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"timeouts":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
