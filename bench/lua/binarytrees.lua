-- Binary trees, same algorithm as examples/bench/binarytrees.sem.
-- Usage: lua5.4 binarytrees.lua [N]   (default 10)
local MIN_DEPTH = 4

local function build(depth)
  if depth <= 0 then
    return {}
  end
  return { build(depth - 1), build(depth - 1) }
end

local function check(node)
  local left = node[1]
  if left == nil then
    return 1
  end
  return 1 + check(left) + check(node[2])
end

local n = tonumber(arg[1]) or 10
n = math.tointeger(n)
local maxDepth = math.max(MIN_DEPTH + 2, n)
local stretchDepth = maxDepth + 1

print("stretch tree of depth " .. stretchDepth .. "\t check: " .. check(build(stretchDepth)))

local longLived = build(maxDepth)

for depth = MIN_DEPTH, maxDepth, 2 do
  local iterations = 1 << (maxDepth - depth + MIN_DEPTH)
  local sum = 0
  for _ = 1, iterations do
    sum = sum + check(build(depth))
  end
  print(iterations .. "\t trees of depth " .. depth .. "\t check: " .. sum)
end

print("long lived tree of depth " .. maxDepth .. "\t check: " .. check(longLived))
