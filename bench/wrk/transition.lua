-- POST /api/v1/adoptions/<id>/transition/ {"action": "approve"} with a token, each request on a different adoption.
-- The ids come from a pool of `requested` adoptions with contiguous ids (bench/seed.py); thread i of n takes
-- first+i, first+i+n, ... so no two requests ever approve the same adoption: every request is a real transition.
local first = tonumber(os.getenv("BENCH_POOL_FIRST"))
local last = tonumber(os.getenv("BENCH_POOL_LAST"))
local token = os.getenv("BENCH_TOKEN")
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local counter = 0

local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

init = function(args)
  counter = first + (tonumber(tid) or 0)
end

local headers = {["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}
local body = '{"action": "approve", "note": "Approvata nel benchmark"}'

request = function()
  local id = counter
  counter = counter + nthreads
  if id > last then id = last end -- pool used up: later requests fail with 400 and show up as errors
  if client_address then headers["X-Forwarded-For"] = client_address() end
  return wrk.format("POST", "/api/v1/adoptions/" .. id .. "/transition/", headers, body)
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
