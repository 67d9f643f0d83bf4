-- In lua5.1, 0 and -0 are one constant of the function that uses them
-- (its constant table is keyed by value, and 0 == -0), so 1/0 below
-- divides by -0: lua5.1 prints -inf, then inf for -1/0. omapish keeps
-- them apart: inf, -inf.
print(1e15, 1e16, 0.1, -0, 1/0, 2^53, 3.0, 1e100)
print(-0, 1/0, -1/0)
