"""Exact fixed-point arithmetic on int64 arrays: half-up ratios, and decimal arrays in and out of Arrow."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

# Products estimated (in float) below this bound are computed in int64; the float estimate has a relative
# error far below 1e-3, so the margin to 2**63 (9.22e18) is generous.
_INT64_SAFE = 4.0e18

Factor = np.ndarray | int


def half_up_div(num: np.ndarray, den: np.ndarray | int) -> np.ndarray:
    """`num / den` rounded half away from zero, exactly, on int64 arrays (den > 0).

    Args:
        num: int64 numerators (any sign).
        den: positive int64 denominators (array or scalar).

    Returns:
        The rounded quotients as int64.
    """
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    mag = np.abs(num)
    quot, rem = np.divmod(mag, den)
    # r >= d - r is "2r >= d" without the overflow of doubling.
    quot = quot + (rem >= den - rem)
    return np.where(num < 0, -quot, quot)


def ratio_half_up(nums: Sequence[Factor], dens: Sequence[Factor]) -> np.ndarray:
    """`Π nums / Π dens` rounded half away from zero, exactly, whatever the magnitudes.

    Rows whose products fit in int64 are computed vectorised; the (rare) others fall back to Python
    integers, so the result is exact in every case.

    Args:
        nums: factors of the numerator (int64 arrays of one length, or ints).
        dens: factors of the denominator (positive).

    Returns:
        int64 array of the rounded ratios.
    """
    arrays = [np.asarray(f, dtype=np.int64) for f in (*nums, *dens)]
    length = max((a.size for a in arrays if a.ndim), default=1)
    num_arr = [np.broadcast_to(np.asarray(f, dtype=np.int64), (length,)) for f in nums]
    den_arr = [np.broadcast_to(np.asarray(f, dtype=np.int64), (length,)) for f in dens]
    est_num = np.ones(length)
    for f in num_arr:
        est_num *= np.abs(f.astype(np.float64))
    est_den = np.ones(length)
    for f in den_arr:
        est_den *= f.astype(np.float64)
    safe = (est_num < _INT64_SAFE) & (est_den < _INT64_SAFE)
    num = np.ones(length, dtype=np.int64)
    den = np.ones(length, dtype=np.int64)
    with np.errstate(over="ignore"):
        for f in num_arr:
            num = num * np.where(safe, f, 1)
        for f in den_arr:
            den = den * np.where(safe, f, 1)
    out = half_up_div(num, den)
    if not safe.all():
        for i in np.flatnonzero(~safe):
            big_num, big_den = 1, 1
            for f in num_arr:
                big_num *= int(f[i])
            for f in den_arr:
                big_den *= int(f[i])
            q, r = divmod(abs(big_num), big_den)
            q += 2 * r >= big_den
            value = -q if big_num < 0 else q
            if abs(value) >= 2**63:
                raise OverflowError(f"amount {value} is beyond 64-bit fixed-point range")
            out[i] = value
    return out


def decimal_unscaled(arr: pa.Array) -> np.ndarray:
    """The unscaled int64 integers of a decimal128 array (no nulls); OverflowError if one does not fit."""
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset : 2 * (arr.offset + len(arr))]
    low, high = words[0::2], words[1::2]
    if not np.array_equal(high, low >> 63):
        raise OverflowError("a decimal value does not fit in 64 bits")
    return low.copy()


def to_decimal(unscaled: np.ndarray, scale: int, valid: np.ndarray | None = None) -> pa.Array:
    """A decimal128(18 or 38, scale) Arrow array from int64 unscaled values; `valid` False gives null.

    Args:
        unscaled: int64 values in units of 10**-scale.
        scale: number of decimals.
        valid: optional boolean mask, False where the value is null (e.g. a ratio over zero).

    Returns:
        The decimal Arrow array (precision 18 when every value has at most 18 digits, else 38).
    """
    unscaled = np.ascontiguousarray(unscaled, dtype=np.int64)
    words = np.empty(2 * unscaled.size, dtype=np.int64)
    words[0::2] = unscaled
    words[1::2] = unscaled >> 63
    precision = 18 if unscaled.size == 0 or np.abs(unscaled).max() < 10**18 else 38
    mask = None
    null_count = 0
    if valid is not None and not valid.all():
        mask = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little").tobytes())
        null_count = int((~valid).sum())
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale),
        unscaled.size,
        [mask, pa.py_buffer(words.tobytes())],
        null_count=null_count,
    )


def safe_ratio(num: np.ndarray, den: np.ndarray, digits: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """`num / den` to `digits` decimals half-up, as (unscaled int64, valid mask); null where den == 0.

    Both inputs share one unit (cents, units...), so the scale of the ratio is only `digits`. A negative
    denominator is allowed: the sign moves to the numerator.
    """
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    valid = den != 0
    sign = np.where(den < 0, -1, 1)
    out = ratio_half_up([num * sign, 10**digits], [np.where(valid, np.abs(den), 1)])
    return np.where(valid, out, 0), valid
