-- wrk script for the token-cache benchmarks: POSTs a client_credentials form with HTTP Basic.
--   BENCH_CLIENT  client id (one key) or prefix (several keys: <prefix>-0 .. <prefix>-(n-1)); secret <id>-secret
--   BENCH_KEYS    number of keys (default 1: a static request, the cheapest for wrk)
--   BENCH_SCOPE   scope (default orders:read)
-- done() prints one line: WRKJSON {"requests":..,"duration_us":..,"errors":..,"status_errors":..,"p50":..,...}
-- (latencies in microseconds).

local b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function base64(data)
  return ((data:gsub('.', function(x)
    local r, byte = '', x:byte()
    for i = 8, 1, -1 do r = r .. (byte % 2 ^ i - byte % 2 ^ (i - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == '1' and 2 ^ (6 - i) or 0) end
    return b64:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end

local client = os.getenv("BENCH_CLIENT") or "bench-hit"
local keys = tonumber(os.getenv("BENCH_KEYS") or "1")
local scope = (os.getenv("BENCH_SCOPE") or "orders:read"):gsub(":", "%%3A")
local body = "grant_type=client_credentials&scope=" .. scope

local function headers(id)
  return {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = "Basic " .. base64(id .. ":" .. id .. "-secret"),
  }
end

if keys <= 1 then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers = headers(client)
else
  local requests = {}
  local n = 0
  function init(args)
    for i = 0, keys - 1 do
      requests[i + 1] = wrk.format("POST", nil, headers(client .. "-" .. i), body)
    end
    n = math.random(keys)
  end
  function request()
    n = n % keys + 1
    return requests[n]
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
