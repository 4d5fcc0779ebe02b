-- wrk script for benches/agent_checkin.sh: each request is one agent check-in from a device chosen at
-- random among the enrolled ones, with that device's own token (a wrong pairing would be a 403).
-- TOKENS names a file of "ASSET_TAG DEVICE_TOKEN" lines. With PACE_RPS and PACE_CONNS set, each connection
-- waits PACE_CONNS/PACE_RPS seconds before each request, so the whole run offers about PACE_RPS requests/s
-- (a little less: the wait comes on top of each response's time); without them wrk goes flat out.
local tags, tokens = {}, {}

local function load()
  for line in io.lines(os.getenv("TOKENS") or "tokens.txt") do
    local tag, token = line:match("^(%S+)%s+(%S+)$")
    if tag then
      tags[#tags + 1] = tag
      tokens[#tokens + 1] = token
    end
  end
end

init = function(args)
  load()
  -- Each wrk thread has its own Lua state: seed each differently.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "1", 16) % 100000)
end

request = function()
  local i = math.random(#tags)
  local body = string.format(
    '{"asset_tag":"%s","hostname":"%s","mac_addresses":[],"interval_seconds":60,'
      .. '"uptime_seconds":3600,"idle_seconds":5,"user_active":true,"on_battery":false}',
    tags[i], tags[i])
  return wrk.format("POST", "/api/v1/agent/checkin",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[i] }, body)
end

local pace_rps, pace_conns = tonumber(os.getenv("PACE_RPS") or ""), tonumber(os.getenv("PACE_CONNS") or "")
if pace_rps and pace_conns and pace_rps > 0 then
  local wait_ms = pace_conns * 1000 / pace_rps
  delay = function()
    return wait_ms
  end
end
