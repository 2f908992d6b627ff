-- wrk: a flood of wrong client secrets at the token endpoint, from one
-- address. GUESS_ID=admin guesses the admin's secret; GUESS_ID unset
-- sprays random client ids. Prints how many answers were 401 (a guess
-- checked with bcrypt), 429 (refused before any check) or other.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  s401, s429, other = 0, 0, 0
  target = os.getenv("GUESS_ID")
  if target == "" then target = nil end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  return ((s:gsub(".", function(x)
    local r, b = "", x:byte()
    for i = 8, 1, -1 do r = r .. (b % 2 ^ i - b % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

function request()
  local id = target or string.format("ghost-%08x", math.random(0, 0x7fffffff))
  local creds = base64(id .. ":" .. string.format("guess-%08x", math.random(0, 0x7fffffff)))
  return wrk.format("POST", nil, {
    ["Authorization"] = "Basic " .. creds,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "grant_type=client_credentials")
end

function response(status, headers, body)
  if status == 401 then s401 = s401 + 1
  elseif status == 429 then s429 = s429 + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a, b, c = a + t:get("s401"), b + t:get("s429"), c + t:get("other")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("guesses checked (401): %d = %.1f/s; refused (429): %d; other: %d\n", a, a / secs, b, c))
end
