-- wrk: pushes of a descriptor whose maxTokenExpiration changes on every
-- request, so that each one stores a new revision. TOKEN from the env.
local n = 0
request = function()
  n = n + 1
  local body = '{"applicationKey":{"packageName":"com.example.bench","clientPlatform":"android","version":"1.0"},' ..
    '"mandatoryScope":"appAuthenticity","scopeElementMapping":{"accessRestricted":"PinCodeAttempts"},' ..
    '"maxTokenExpiration":' .. (1000 + n) .. '}'
  return wrk.format("POST", "/mfpadmin/management-apis/2.0/runtimes/mfp/applications",
    {["Authorization"] = "Bearer " .. os.getenv("TOKEN"), ["Content-Type"] = "application/json"}, body)
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for _, p in pairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%g: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
