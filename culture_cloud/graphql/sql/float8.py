"""Python's float arithmetic as PostgreSQL float8 expressions, bit for bit.

A value the general executor computes in Python (a coordinate in another datum, rounded) can be
computed by a compiled statement only if every step gives the same double. PostgreSQL's float8
`+ - * /`, `sqrt`, `abs` and `floor` are the IEEE-754 operations Python's floats use, and `sin`,
`cos`, `atan2` and `power` call the C library's functions, as Python's math module and `**` do.
So an expression made of the same operations in the same order gives the same bits, provided the
database server has the application's C library (deploy/: one host runs both).

`Float8` composes like a Python float: `2.0 * x + y` with a `Float8` x builds
`((float8 '2.0' * x) + y)`, each operation where Python's precedence and left-to-right order put
it, each literal a typed float8 written as its shortest repr (which PostgreSQL reads back to the
same double). Code that mirrors a Python function can therefore be written as a copy of it.

One difference matters: PostgreSQL raises "value out of range: underflow" where C returns zero
or a subnormal from nonzero operands (`*`, `/`, `power`). `hypot` and `python_round_json` keep
such products out of their arithmetic where the result cannot depend on them; elsewhere an
input outside the exact domain makes the statement fail, and a failed compiled read is answered
by the general path (graphql/sql/reads.py): slower, never wrong.

`Lets` names intermediate values computed once per row. PostgreSQL does no common-subexpression
elimination, and an intermediate used twice, inlined, is computed twice (hypot's running sum
would double at each step); each layer is a LATERAL subquery with OFFSET 0, which the planner
does not inline (~0.2 µs a row, the price of some 30 inline operations).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping

from culture_cloud.graphql.sql.objects import Unsupported
from culture_cloud.graphql.sql.values import identifier


class Float8:
    """A float8 SQL expression whose operators are Python's float operators."""

    __slots__ = ("sql",)

    def __init__(self, sql: str) -> None:
        self.sql = sql

    def __add__(self, other: Float8 | float) -> Float8:
        return _binary(self, "+", other)

    def __radd__(self, other: float) -> Float8:
        return _binary(other, "+", self)

    def __sub__(self, other: Float8 | float) -> Float8:
        return _binary(self, "-", other)

    def __rsub__(self, other: float) -> Float8:
        return _binary(other, "-", self)

    def __mul__(self, other: Float8 | float) -> Float8:
        return _binary(self, "*", other)

    def __rmul__(self, other: float) -> Float8:
        return _binary(other, "*", self)

    def __truediv__(self, other: Float8 | float) -> Float8:
        return _binary(self, "/", other)

    def __rtruediv__(self, other: float) -> Float8:
        return _binary(other, "/", self)

    def __neg__(self) -> Float8:
        return Float8(f"(- {self.sql})")

    def __abs__(self) -> Float8:
        return Float8(f"abs({self.sql})")

    def __pow__(self, other: Float8 | float) -> Float8:
        # Python's float ** calls C's pow() for finite operands, as PostgreSQL's power() does.
        return Float8(f"power({self.sql}, {of(other).sql})")


def of(value: Float8 | float) -> Float8:
    """A Float8 as is; a Python number as the float8 literal of the same double."""
    if isinstance(value, Float8):
        return value
    number = float(value)  # an int operand of a float operation is converted exactly so
    if not math.isfinite(number):
        raise ValueError(f"not a finite float8 literal: {value!r}")
    return Float8(f"float8 '{number!r}'")


def _binary(left: Float8 | float, op: str, right: Float8 | float) -> Float8:
    return Float8(f"({of(left).sql} {op} {of(right).sql})")


def sin(x: Float8) -> Float8:
    return Float8(f"sin({x.sql})")


def cos(x: Float8) -> Float8:
    return Float8(f"cos({x.sql})")


def sqrt(x: Float8) -> Float8:
    return Float8(f"sqrt({x.sql})")


def atan2(y: Float8, x: Float8) -> Float8:
    return Float8(f"atan2({y.sql}, {x.sql})")


def finite(x: Float8) -> str:
    """SQL: x is neither NaN nor infinite (PostgreSQL orders NaN above infinity)."""
    return f"(abs({x.sql}) < float8 'Infinity')"


def fail(reason: str, value: Float8) -> Float8:
    """An expression that makes the statement fail (the general path answers), naming the
    value: "unrecognized configuration parameter "culture_cloud.<reason><value>"". Not a cast
    of text: casts are immutable, and PostgreSQL folds one whose input is a constant (a value
    bound as a literal) at plan time, failing even where the branch is never taken.
    current_setting() is stable, so it is evaluated only where it is reached."""
    return Float8(
        f"(current_setting({_text('culture_cloud.' + reason)} || ({value.sql})::text))::float8"
    )


def _text(constant: str) -> str:
    if "'" in constant or "\\" in constant:
        raise ValueError(f"not a plain constant: {constant!r}")
    return f"'{constant}'"


class Lets:
    """Values computed once per row, in layers: a layer's values may read earlier layers'
    (and the enclosing row), not each other. `select` wraps an expression over them into a
    scalar subquery."""

    def __init__(self, prefix: str) -> None:
        self.prefix = identifier(prefix)
        self.layers: list[dict[str, str]] = []

    def layer(self, **values: Float8 | str) -> dict[str, str]:
        """Adds a layer of named values (Float8, or SQL of another type such as a boolean);
        returns the SQL reference of each."""
        alias = f"{self.prefix}{len(self.layers)}"
        self.layers.append(
            {identifier(k): v.sql if isinstance(v, Float8) else v for k, v in values.items()}
        )
        return {name: f"{alias}.{name}" for name in values}

    def floats(self, **values: Float8) -> dict[str, Float8]:
        """A layer of float8 values, referenced as Float8."""
        return {name: Float8(ref) for name, ref in self.layer(**values).items()}

    def select(self, expression: str) -> str:
        if not self.layers:
            return expression
        subqueries = []
        for index, values in enumerate(self.layers):
            columns = ", ".join(f"{sql} AS {name}" for name, sql in values.items())
            lateral = "" if index == 0 else "CROSS JOIN LATERAL "
            subqueries.append(f"{lateral}(SELECT {columns} OFFSET 0) {self.prefix}{index}")
        return f"(SELECT {expression} FROM {' '.join(subqueries)})"


# Veltkamp's constant 2**27 + 1: splits a double into two halves whose products are exact.
_SPLIT = 134217729.0


def _split(x: Float8) -> tuple[Float8, Float8]:
    """Dekker's split (hi, lo) of x, as CPython writes it; x is read four times."""
    t = x * _SPLIT
    hi = t - (t - x)
    return hi, x - hi


# The interpreter whose math.hypot `hypot` reproduces. CPython 3.12 changed vector_norm (an
# fma-based exact product, two compensation sums instead of three): its last bit can differ, so
# under any other interpreter `hypot` is not compiled and the general path answers.
HYPOT_OF_THIS_PYTHON = sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 11)
# hypot's exact domain: the largest coordinate at least this, so that the threshold below stays
# a normal double.
_HYPOT_MIN = 2.0**-900
# A coordinate whose scaled value is below 2**-100 adds nothing to the result: the other terms
# of the sums are zero or multiples of 2**-106, its square is below 2**-200, so every sum it
# enters rounds back to the sum without it. SQL takes it as zero (its products would underflow).
_NEGLIGIBLE_EXPONENT = 100


def hypot(lets: Lets, x: Float8, y: Float8) -> Float8:
    """`math.hypot(x, y)` as CPython 3.11 computes it (Modules/mathmodule.c, vector_norm):
    scaled by a power of two, squares summed with compensation, one correction of the square
    root. x and y must be references (each is read several times).

    Exact for finite x, y with max(|x|, |y|) >= 2**-900 and a finite result; 0.0, inf and NaN
    as Python gives them where both are zero, either is infinite, or either is NaN; otherwise the
    statement fails. Unsupported under another interpreter than CPython 3.11.
    """
    if not HYPOT_OF_THIS_PYTHON:
        raise Unsupported("math.hypot of this interpreter is not reproduced in SQL")
    ax, ay = abs(x), abs(y)
    largest = Float8(f"(CASE WHEN {ay.sql} > {ax.sql} THEN {ay.sql} ELSE {ax.sql} END)")
    in_domain = f"({finite(x)} AND {finite(y)} AND {largest.sql} >= {of(_HYPOT_MIN).sql})"
    # frexp(): the biased exponent from the double's bytes, exact where logarithms are not.
    biased = (
        f"((get_byte(float8send({largest.sql}), 0) & 127) * 16 "
        f"+ (get_byte(float8send({largest.sql}), 1) >> 4))"
    )
    exponent = lets.layer(biased=f"(CASE WHEN {in_domain} THEN {biased} END)")["biased"]
    scale = Float8(f"power(float8 '2', (1022 - {exponent})::float8)")
    negligible = Float8(f"power(float8 '2', ({exponent} - {1022 + _NEGLIGIBLE_EXPONENT})::float8)")

    def scaled(a: Float8) -> Float8:
        return Float8(
            f"(CASE WHEN {a.sql} < {negligible.sql} THEN float8 '0' ELSE {(a * scale).sql} END)"
        )

    s = lets.floats(scale=scale, x=scaled(ax), y=scaled(ay))
    hx, lx = _split(s["x"])
    hy, ly = _split(s["y"])
    h = lets.floats(hx=hx, lx=lx, hy=hy, ly=ly)
    hx, lx, hy, ly = h["hx"], h["lx"], h["hy"], h["ly"]

    # for each coordinate: x = hi*hi, then 2.0*hi*lo into csum (frac1, frac2 their rounding
    # errors), lo*lo into frac3
    c1 = 1.0 + hx * hx
    c2 = c1 + 2.0 * hx * lx
    c3 = c2 + hy * hy
    sums = lets.floats(c1=c1, c2=c2, c3=c3)
    c1, c2, c3 = sums["c1"], sums["c2"], sums["c3"]
    c4 = c3 + 2.0 * hy * ly
    frac1 = 0.0 + ((1.0 - c1) + hx * hx)
    frac2 = 0.0 + ((c1 - c2) + 2.0 * hx * lx)
    frac3 = 0.0 + lx * lx
    frac1 = frac1 + ((c2 - c3) + hy * hy)
    frac2 = frac2 + ((c3 - c4) + 2.0 * hy * ly)
    frac3 = frac3 + ly * ly
    first = lets.floats(c4=c4, frac1=frac1, frac2=frac2, frac3=frac3)
    c4, frac1, frac2, frac3 = first["c4"], first["frac1"], first["frac2"], first["frac3"]

    root = lets.floats(h=sqrt(c4 - 1.0 + (frac1 + frac2 + frac3)))["h"]
    hh, lh = _split(root)
    halves = lets.floats(hi=hh, lo=lh)
    hh, lh = halves["hi"], halves["lo"]
    # the correction: subtract h*h from the sum, exactly, and add the residual's derivative
    q = -hh * hh
    c5 = c4 + q
    frac1 = frac1 + ((c4 - c5) + q)
    r = -2.0 * hh * lh
    c6 = c5 + r
    frac2 = frac2 + ((c5 - c6) + r)
    t = -lh * lh
    c7 = c6 + t
    frac3 = frac3 + ((c6 - c7) + t)
    residual = c7 - 1.0 + (frac1 + frac2 + frac3)
    exact = (root + residual / (2.0 * root)) / s["scale"]
    return Float8(
        f"(CASE WHEN {exponent} IS NOT NULL THEN {exact.sql} "
        f"WHEN {ax.sql} = float8 'Infinity' OR {ay.sql} = float8 'Infinity' "
        "THEN float8 'Infinity' "
        f"WHEN {x.sql} = float8 'NaN' OR {y.sql} = float8 'NaN' THEN float8 'NaN' "
        f"WHEN {ax.sql} = 0 AND {ay.sql} = 0 THEN float8 '0' "
        f"ELSE {fail('hypot outside its exact domain: ', largest).sql} END)"
    )


# round()'s exact domain: |x| * 10**digits stays below 2**52, so its fraction is exact.
ROUND_LIMIT = 1e8
_MAX_DIGITS = 7


def python_round_json(lets: Lets, values: Mapping[str, Float8], digits: int) -> dict[str, str]:
    """For each value, SQL text of type json: Python's `round(value, digits)` as orjson writes
    it (null for NaN and infinities; the statement fails for |value| >= ROUND_LIMIT). The
    values are read several times: references, or expressions cheap to repeat.

    round() is the correctly rounded decimal, ties to even on the exact binary value. Exactly:
    p = |x| * 10**digits rounded, and Dekker's product gives its rounding error e (10**digits
    has at most 26 significant bits, so its low half is zero); the fraction f = p - floor(p) is
    exact, and unless f is 1/2, |f - 1/2| >= ulp(p) > |e| decides alone. At f = 1/2, e's sign
    decides, and e = 0 is the tie. The result is N / 10**digits with N an integer below 10**15:
    its repr is N's digits (15 significant digits round-trip), built here from N as text.
    """
    if not 0 <= digits <= _MAX_DIGITS:
        raise ValueError(f"digits must be 0..{_MAX_DIGITS}, got {digits}")
    factor = float(10**digits)
    half, zero = of(0.5).sql, of(0.0).sql
    rounded: dict[str, str] = {}
    for name, value in values.items():
        a = abs(value)
        p = a * factor
        hi, lo = _split(a)
        error = (hi * factor - p) + lo * factor
        low = Float8(f"floor({p.sql})")
        fraction = p - low
        up = (
            f"(CASE WHEN {fraction.sql} > {half} THEN 1 WHEN {fraction.sql} < {half} THEN 0 "
            f"WHEN {error.sql} > {zero} THEN 1 WHEN {error.sql} < {zero} THEN 0 "
            f"ELSE {low.sql}::int8 % 2 END)"
        )
        rounded[f"{name}_n"] = (
            f"(CASE WHEN {a.sql} < {of(ROUND_LIMIT).sql} THEN {low.sql}::int8 + {up} END)"
        )
        rounded[f"{name}_negative"] = f"(get_byte(float8send({value.sql}), 0) >= 128)"
    refs = lets.layer(**rounded)
    return {
        name: _json_text(refs[f"{name}_n"], refs[f"{name}_negative"], value, digits)
        for name, value in values.items()
    }


def _json_text(n: str, negative: str, value: Float8, digits: int) -> str:
    scale = 10**digits
    if digits == 0:
        magnitude = f"{n}::text || '.0'"
    else:
        fraction = f"rtrim(lpad(({n} % {scale})::text, {digits}, '0'), '0')"
        magnitude = f"({n} / {scale})::text || '.' || coalesce(nullif({fraction}, ''), '0')"
    # orjson writes values below 1e-5 in exponent form: 1e-7, 1.2e-6
    exponent_below = 10 ** max(digits - 5, 0)
    if exponent_below > 1:
        digits_text = f"rtrim({n}::text, '0')"
        mantissa = (
            f"left({digits_text}, 1) || CASE WHEN length({digits_text}) > 1 "
            f"THEN '.' || substr({digits_text}, 2) ELSE '' END"
        )
        power_of_ten = f"(length({n}::text) - {digits + 1})::text"
        magnitude = (
            f"CASE WHEN {n} < {exponent_below} THEN {mantissa} || 'e' || {power_of_ten} "
            f"ELSE {magnitude} END"
        )
    sign = f"CASE WHEN {negative} THEN '-' ELSE '' END"
    return (
        f"(CASE WHEN {n} IS NULL THEN (CASE WHEN {finite(value)} "
        f"THEN {fail('round outside its exact domain: ', value).sql}::text ELSE 'null' END) "
        f"WHEN {n} = 0 THEN {sign} || '0.0' "
        f"ELSE {sign} || ({magnitude}) END)::json"
    )
