-- GET a different address on every request: the lines of BENCH_URLS ("path<TAB>language"), from line
-- BENCH_URL_OFFSET on, wrapping at the end (bench/rotation.py writes them; bench/run.py moves the offset on after
-- every run, so that no address is asked twice in a run while the list lasts). The language goes in
-- Accept-Language. Answers that a page cache gave (X-Anon-Cache: hit or stale) are counted and reported.
local paths, languages = {}, {}
for line in io.lines(os.getenv("BENCH_URLS")) do
  local path, language = line:match("^([^\t]*)\t?(.*)$")
  paths[#paths + 1] = path
  languages[#languages + 1] = language
end
local count = #paths
local counter = tonumber(os.getenv("BENCH_URL_OFFSET") or "0")
cache_hits = 0

request = function()
  local i = (counter % count) + 1
  counter = counter + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if languages[i] ~= "" then headers["Accept-Language"] = languages[i] end
  if client_address then headers["X-Forwarded-For"] = client_address() end
  return wrk.format("GET", paths[i], headers)
end

response = function(status, headers, body)
  local cached = headers["X-Anon-Cache"]
  if cached == "hit" or cached == "stale" then cache_hits = cache_hits + 1 end
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
