-- Fannkuch-redux, same algorithm as examples/bench/fannkuchredux.sem.
-- Usage: lua5.4 fannkuchredux.lua [N]   (default 7)
local n = math.tointeger(tonumber(arg[1]) or 7)

-- arrays are 0-based here to mirror the Sem version
local perm, work, count = {}, {}, {}
for i = 0, n - 1 do
  perm[i] = i
  work[i] = 0
  count[i] = 0
end

local maxFlips, checksum, permIndex, r = 0, 0, 0, n

while true do
  while r ~= 1 do
    count[r - 1] = r
    r = r - 1
  end

  for i = 0, n - 1 do
    work[i] = perm[i]
  end
  local flips = 0
  local first = work[0]
  while first ~= 0 do
    local lo, hi = 0, first
    while lo < hi do
      work[lo], work[hi] = work[hi], work[lo]
      lo = lo + 1
      hi = hi - 1
    end
    flips = flips + 1
    first = work[0]
  end
  if flips > maxFlips then
    maxFlips = flips
  end
  if permIndex % 2 == 0 then
    checksum = checksum + flips
  else
    checksum = checksum - flips
  end

  while true do
    if r == n then
      print(checksum)
      print("Pfannkuchen(" .. n .. ") = " .. maxFlips)
      return
    end
    local p0 = perm[0]
    for i = 0, r - 1 do
      perm[i] = perm[i + 1]
    end
    perm[r] = p0
    count[r] = count[r] - 1
    if count[r] > 0 then
      break
    end
    r = r + 1
  end
  permIndex = permIndex + 1
end
