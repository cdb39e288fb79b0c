-- Prints one JSON line with the run's counts and latency percentiles (milliseconds) for bench/run.py.
done = function(summary, latency, requests)
  local function ms(q) return latency:percentile(q) / 1000.0 end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.3f, "bytes": %d, "errors_status": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_timeout": %d, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    ms(50), ms(90), ms(95), ms(99), latency.max / 1000.0, latency.mean / 1000.0))
end
