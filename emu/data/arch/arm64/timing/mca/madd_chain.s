// multiply-accumulate chain through the accumulator
loop:
    madd x0, x3, x4, x0
    subs x2, x2, #1
    b.ne loop
