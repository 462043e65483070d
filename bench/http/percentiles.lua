-- Prints wrk's own latency percentiles in microseconds, for bench.py.
done = function(summary, latency, requests)
  io.write(string.format("p50_us %d\n", latency:percentile(50)))
  io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
