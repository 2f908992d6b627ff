-- wrk: client-credentials token requests with HTTP Basic (test:test).
wrk.method = "POST"
wrk.headers["Authorization"] = "Basic dGVzdDp0ZXN0"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&scope=mfpadmin"

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
