-- Naive recursive Fibonacci, same algorithm as examples/bench/fib.sem.
-- Usage: lua5.4 fib.lua [N]   (default 20)
local function fib(n)
  if n < 2 then
    return n
  end
  return fib(n - 1) + fib(n - 2)
end

local n = tonumber(arg[1]) or 20
print(string.format("fib(%d) = %d", n, fib(n)))
