-- wrk script for bench/booking_rush.py: each request books one seat for the next resident in
-- line (one bearer token per line of args[1]) with a fresh idempotency key; the thread stops
-- at the first SOLD_OUT answer. args: <tokens file> <event global id> <run id>
local tokens = {}
local next_index = 0
local event_id, run_id

local query = "mutation Book($input: BookEventInput!) { bookEvent(input: $input) { "
  .. "__typename ... on BookingConfirmed { booking { id seats } } "
  .. "... on BookingError { code } } }"

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  event_id = args[2]
  run_id = args[3]
end

function request()
  next_index = next_index + 1
  local token = tokens[(next_index - 1) % #tokens + 1]
  local body = '{"query":"' .. query .. '","variables":{"input":{"eventId":"' .. event_id
    .. '","seats":1,"idempotencyKey":"rush-' .. run_id .. '-' .. next_index .. '"}}}'
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  if string.find(body, "SOLD_OUT", 1, true) then
    wrk.thread:stop()
  end
end
