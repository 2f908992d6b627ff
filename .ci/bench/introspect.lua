-- wrk: RFC 7662 introspection; CALLER and SUBJECT tokens come from the
-- environment (see .ci/bench-server).
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CALLER")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "token=" .. os.getenv("SUBJECT")

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
