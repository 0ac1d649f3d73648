"""Traced programs agree with the programs: a random straight-line program with branches over
int inputs is traced once at one set of values; at any other values that satisfy the recorded
guards, the GraphModule returns what the program returns on plain ints (or raises the same
exception class)."""

import operator

from hypothesis import assume, given
from hypothesis import strategies as st

import symcore

BINARY = [operator.add, operator.sub, operator.mul, operator.floordiv, operator.mod, symcore.sym_max, symcore.sym_min]
N_INPUTS = 3

# A step: ("bin", op index, operand a, operand b) or ("branch", operand, threshold, then-op, else-op)
# where operands index the values computed so far (inputs first) or are small constants.
operand = st.one_of(st.integers(0, 30).map(lambda i: ("v", i)), st.integers(-5, 9).map(lambda c: ("c", c)))
step = st.one_of(
    st.tuples(st.just("bin"), st.integers(0, len(BINARY) - 1), operand, operand),
    st.tuples(st.just("branch"), operand, st.integers(-10, 10), st.integers(0, 1), st.integers(0, 1)),
)
program = st.lists(step, min_size=1, max_size=12)
inputs = st.lists(st.integers(-50, 50), min_size=N_INPUTS, max_size=N_INPUTS)


def run(prog, *args):
    values = list(args)

    def get(o):
        kind, x = o
        return values[x % len(values)] if kind == "v" else x

    for s in prog:
        if s[0] == "bin":
            _, op, a, b = s
            values.append(BINARY[op](get(a), get(b)))
        else:
            _, a, threshold, t, e = s
            x = get(a)
            if x > threshold:  # a guard when x is symbolic
                values.append(x + 1 if t else x * 2)
            else:
                values.append(x - 3 if e else x // 2)
    return tuple(values[N_INPUTS:])


def outcome(f):
    try:
        return ("ok", f())
    except ZeroDivisionError:
        return ("raise", ZeroDivisionError)


@given(program, inputs, inputs)
def test_traced_module_equals_program(prog, at_trace, at_run):
    def fn(a, b, c):
        return run(prog, a, b, c)

    try:
        gm = symcore.trace_symbolic(fn, *at_trace)
    except ZeroDivisionError:
        # Deciding a branch evaluated a division by zero at the trace values, as plain ints do.
        assert outcome(lambda: fn(*at_trace))[0] == "raise"
        return
    # Divisions by a symbolic zero are deferred: the module raises where the program raises.
    assert outcome(lambda: gm(*at_trace)) == outcome(lambda: fn(*at_trace))
    env = gm.shape_env
    binding = dict(zip(["a", "b", "c"], at_run))
    try:
        holds = all(env.evaluate(g.expr, binding) for g in env.guards)
    except ZeroDivisionError:
        # A guard's own expression divides by zero here: the program computed that expression
        # before branching on it, so program and module both raise.
        assert outcome(lambda: fn(*at_run)) == outcome(lambda: gm(*at_run)) == ("raise", ZeroDivisionError)
        return
    assume(holds)
    assert outcome(lambda: gm(*at_run)) == outcome(lambda: fn(*at_run))
