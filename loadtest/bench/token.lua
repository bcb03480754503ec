-- wrk script for the token-cache benchmarks: POSTs a client_credentials form with HTTP Basic.
--   BENCH_CLIENT  client id (one key) or prefix (several keys: <prefix>-0 .. <prefix>-(n-1)); secret <id>-secret
--   BENCH_KEYS    number of keys (default 1: a static request, the cheapest for wrk)
--   BENCH_SCOPE   scope (default orders:read)
--   BENCH_RATE    optional: pace the requests to this many per second in total for this wrk process (a fixed
--                 schedule per thread, see delay() below); unset: closed loop, each connection sends its next
--                 request as soon as the answer is in
--   BENCH_THREADS wrk's -t, needed with BENCH_RATE (each thread paces itself to BENCH_RATE / BENCH_THREADS) and
--                 to spread several keys over the threads
--   BENCH_TARGETS optional: ports on 127.0.0.1 (comma-separated); thread i sends to port i mod n, so -t3 with three
--                 ports puts one thread on each node (the URL's port must answer too: wrk checks it first)
--   BENCH_ONCE    optional: each thread sends this many requests in all, over its connections, then prints
--                 "WRKTHREAD done" once all are answered and stops (wrk itself ends after -d or on SIGINT). With
--                 -c BENCH_ONCE x threads they all go at once: a herd of first requests, whose latencies are the
--                 herd's. Thread i of n starts at key i x keys / n, so BENCH_ONCE = keys / n asks each key once.
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
    n = math.floor(wrk.thread:get("index") * keys / (tonumber(os.getenv("BENCH_THREADS") or "") or 1))
  end
  function request()
    n = n % keys + 1
    return requests[n]
  end
end

local ports, index = {}, 0
for port in (os.getenv("BENCH_TARGETS") or ""):gmatch("%d+") do ports[#ports + 1] = port end
function setup(thread)
  thread:set("index", index)
  index = index + 1
  if #ports > 0 then
    thread.addr = wrk.lookup("127.0.0.1", ports[(index - 1) % #ports + 1])[1]
  end
end

local once = tonumber(os.getenv("BENCH_ONCE") or "")
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if once ~= nil and once > 0 then
  -- wrk calls delay() before each request: the first BENCH_ONCE go at once, the next would wait an hour; the
  -- thread stops when every one of its requests is answered (wrk itself ends after -d)
  local sent, answered = 0, 0
  function delay()
    sent = sent + 1
    return sent <= once and 0 or 3600000
  end
  function response()
    answered = answered + 1
    if answered == once then
      io.write("WRKTHREAD done\n")
      io.stdout:flush()
      wrk.thread:stop()
    end
  end
elseif rate ~= nil and rate > 0 then
  -- Only defined when pacing: wrk checks whether a delay() function exists and stays closed-loop without one.
  -- wrk calls delay() in the thread's own Lua state before each request of each connection (the first one too)
  -- and writes that request when the returned number of milliseconds has passed. Each call claims the next slot
  -- of a fixed schedule, so the thread sends at its share of the rate as long as a connection is free for every
  -- slot. Latency is measured by wrk from the moment the request is written, so the wait is not counted.
  local threads = tonumber(os.getenv("BENCH_THREADS") or "")
  if threads == nil or threads < 1 then
    error("token.lua: BENCH_RATE needs BENCH_THREADS (wrk's -t)")
  end
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]]
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 * threads / rate -- ms between two requests of one thread, fractional
  local next_at = nil                    -- the last slot claimed, ms on the monotonic clock, fractional
  function delay()
    local now = now_ms()
    -- a slot missed (no connection was free in time) is dropped, not sent in a burst later: the rate then falls
    -- short of BENCH_RATE, which the report shows
    next_at = next_at == nil and now or math.max(next_at + interval, now)
    -- wrk's timers have millisecond granularity: rounding to the nearest ms keeps each request within 0.5 ms of
    -- its slot, and the schedule itself stays fractional so the rate does not drift
    return math.floor(next_at - now + 0.5)
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
