-- wrk: each request goes to a random one of RULES host+path rules (bench/run-rules).
local rules = tonumber(os.getenv("RULES") or "100")
math.randomseed(os.time())
request = function()
  local i = math.random(1, rules)
  return wrk.format("GET", "/p" .. i .. "/x", { Host = "h" .. i .. ".bench.test" })
end
