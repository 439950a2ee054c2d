-- wrk script for bench/server_bench.sh: every request POSTs the facts of a
-- new host (one NDJSON line) to /api/v1/facts with the token of
-- ACSREADY_TOKEN. Counts non-200 answers and prints the latency percentiles.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("ACSREADY_TOKEN")
  prefix = os.getenv("BENCH_PREFIX") or "bench"
  counter = 0
  failures = 0
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"host":"%s-%d-%d","os":{"current_build":"17763.%d","installation_type":"Server"},'
      .. '"certificates":[{"sha1":"F40042E2E5F7E8EF8189FED15519AECE42C3BFA2","store":"AuthRoot"}],'
      .. '"agents":[{"product":"deep_security_agent","version":"20.0.0.5394"}]}',
    prefix, id, counter, 1000 + counter % 6000)
  return wrk.format("POST", "/api/v1/facts", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/x-ndjson",
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do
    failed = failed + (t:get("failures") or 0)
  end
  io.write(string.format("RESULT requests=%d seconds=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non200=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    failed, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
