-- Spectral norm, same algorithm as examples/bench/spectralnorm.sem.
-- Usage: lua5.4 spectralnorm.lua [N]   (default 100)
-- Vectors are 0-based to mirror the Sem version.

local function A(i, j)
  return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)
end

local function multiplyAv(n, v, out)
  for i = 0, n - 1 do
    local sum = 0.0
    for j = 0, n - 1 do
      sum = sum + A(i, j) * v[j]
    end
    out[i] = sum
  end
end

local function multiplyAtv(n, v, out)
  for i = 0, n - 1 do
    local sum = 0.0
    for j = 0, n - 1 do
      sum = sum + A(j, i) * v[j]
    end
    out[i] = sum
  end
end

local function multiplyAtAv(n, v, out, tmp)
  multiplyAv(n, v, tmp)
  multiplyAtv(n, tmp, out)
end

local n = math.tointeger(tonumber(arg[1]) or 100)
local u, v, tmp = {}, {}, {}
for i = 0, n - 1 do
  u[i] = 1.0
  v[i] = 0.0
  tmp[i] = 0.0
end
for _ = 1, 10 do
  multiplyAtAv(n, u, v, tmp)
  multiplyAtAv(n, v, u, tmp)
end
local vBv, vv = 0.0, 0.0
for i = 0, n - 1 do
  vBv = vBv + u[i] * v[i]
  vv = vv + v[i] * v[i]
end
print(string.format("%.9f", math.sqrt(vBv / vv)))
