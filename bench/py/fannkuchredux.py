"""Fannkuch-redux, same algorithm as examples/bench/fannkuchredux.sem.

Usage: python3 fannkuchredux.py [N]   (default 7)
"""
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    perm = list(range(n))
    work = [0] * n
    count = [0] * n
    max_flips = 0
    checksum = 0
    perm_index = 0
    r = n

    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1

        for i in range(n):
            work[i] = perm[i]
        flips = 0
        first = work[0]
        while first != 0:
            lo = 0
            hi = first
            while lo < hi:
                work[lo], work[hi] = work[hi], work[lo]
                lo += 1
                hi -= 1
            flips += 1
            first = work[0]
        if flips > max_flips:
            max_flips = flips
        if perm_index % 2 == 0:
            checksum += flips
        else:
            checksum -= flips

        while True:
            if r == n:
                print(checksum)
                print(f"Pfannkuchen({n}) = {max_flips}")
                return
            p0 = perm[0]
            for i in range(r):
                perm[i] = perm[i + 1]
            perm[r] = p0
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        perm_index += 1


main()
