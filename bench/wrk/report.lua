-- Every request comes from another client address (X-Forwarded-For, read by the portal as with one proxy in
-- front: PROXY_COUNT=1), like public traffic from many clients, so per-address rate limits apply as in production.
-- At the end, one JSON line with the run's counts and latency percentiles (milliseconds) for bench/run.py, with the
-- answers a page cache gave when the script counts them (rotate.lua).
local clients = tonumber(os.getenv("BENCH_CLIENTS") or "0")
local client_counter = 0

function client_address()
  client_counter = (client_counter + 1) % clients
  local n = client_counter
  return string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
end

if clients > 0 and request == nil then
  request = function()
    wrk.headers["X-Forwarded-For"] = client_address()
    return wrk.format()
  end
end

local threads_seen = {}
local previous_setup = setup
setup = function(thread)
  threads_seen[#threads_seen + 1] = thread
  if previous_setup then previous_setup(thread) end
end

done = function(summary, latency, requests)
  local hits = 0
  for _, thread in ipairs(threads_seen) do hits = hits + (tonumber(thread:get("cache_hits")) or 0) end
  local function ms(q) return latency:percentile(q) / 1000.0 end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.3f, "bytes": %d, "errors_status": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_timeout": %d, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, "cache_hits": %d}\n',
    summary.requests, summary.duration / 1e6, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    ms(50), ms(90), ms(95), ms(99), latency.max / 1000.0, latency.mean / 1000.0, hits))
end
