-- wrk script for benches/agent_checkin.sh: each request is one agent check-in from a device chosen at
-- random among the enrolled ones, with that device's own token (a wrong pairing would be a 403).
-- TOKENS names a file of "ASSET_TAG DEVICE_TOKEN" lines. wrk goes flat out; the fixed-rate runs are
-- examples/checkin_load.rs.
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
