"""Binary trees, same algorithm as examples/bench/binarytrees.sem.

Usage: python3 binarytrees.py [N]   (default 10)
"""
import sys

MIN_DEPTH = 4


def build(depth):
    if depth <= 0:
        return (None, None)
    return (build(depth - 1), build(depth - 1))


def check(node):
    left, right = node
    if left is None:
        return 1
    return 1 + check(left) + check(right)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    max_depth = max(MIN_DEPTH + 2, n)
    stretch_depth = max_depth + 1

    print(f"stretch tree of depth {stretch_depth}\t check: {check(build(stretch_depth))}")

    long_lived = build(max_depth)

    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + MIN_DEPTH)
        total = 0
        for _ in range(iterations):
            total += check(build(depth))
        print(f"{iterations}\t trees of depth {depth}\t check: {total}")

    print(f"long lived tree of depth {max_depth}\t check: {check(long_lived)}")


main()
