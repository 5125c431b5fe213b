-- bench/state.lua - wrk script for /state over a whole trace: each request
-- asks the host's state at a random event seq in [1, EVENTS] (wrk -s; the
-- env EVENTS and TRACE set by bench/server.sh), so neither the server's
-- few cached answers nor one snapshot make the figure.
local events = tonumber(os.getenv("EVENTS") or "1000000")
local trace = os.getenv("TRACE") or "1"
local seed = 0
function setup(thread)
	seed = seed + 1
	thread:set("seed", seed)
end
function init(args)
	math.randomseed(os.time() + (seed or 0) * 7919)
end
function request()
	local path = string.format("/api/traces/%s/state?seq=%d", trace, math.random(1, events))
	return wrk.format("GET", path)
end
