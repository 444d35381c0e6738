"""Exact fixed-point arithmetic on int64 arrays: half-up ratios, and decimal arrays in and out of Arrow."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from numba import njit

Factor = np.ndarray | int


@njit(cache=True, nogil=True)
def div_half_up(num: int, den: int) -> int:
    """num / den (den > 0) rounded half away from zero, on integers."""
    mag = num if num >= 0 else -num
    quot = mag // den
    rem = mag - quot * den
    if rem >= den - rem:  # 2r >= d without the overflow of doubling
        quot += 1
    return quot if num >= 0 else -quot


@njit(cache=True, nogil=True)
def _ratio_kernel(
    nums: np.ndarray, num_k: int, dens: np.ndarray, den_k: int, out: np.ndarray, overflow: np.ndarray
) -> None:
    """out = num_k × Π nums / (den_k × Π dens) half away from zero, per column; flags products that overflow."""
    limit = np.int64(1) << 62
    for i in range(out.size):
        num = num_k
        den = den_k
        ok = True
        for f in range(nums.shape[0]):
            x = nums[f, i]
            if x != 0 and abs(num) > limit // abs(x):
                ok = False
                break
            num *= x
        if ok:
            for f in range(dens.shape[0]):
                x = dens[f, i]
                if den > limit // x:
                    ok = False
                    break
                den *= x
        if ok:
            out[i] = div_half_up(num, den)
        else:
            overflow[i] = True


def half_up_div(num: np.ndarray, den: np.ndarray | int) -> np.ndarray:
    """`num / den` rounded half away from zero, exactly, on int64 arrays (den > 0).

    Args:
        num: int64 numerators (any sign).
        den: positive int64 denominators (array or scalar).

    Returns:
        The rounded quotients as int64.
    """
    return ratio_half_up([num], [den])


def _stacked(arrays: list[Factor], length: int) -> np.ndarray:
    """The factors as rows of one int64 matrix (a view, not a copy, when there is a single one)."""
    rows = [np.broadcast_to(np.asarray(f, dtype=np.int64), (length,)) for f in arrays]
    if len(rows) == 1 and rows[0].flags.c_contiguous:
        return rows[0].reshape(1, length)
    return np.stack(rows) if rows else np.zeros((0, length), dtype=np.int64)


def ratio_half_up(nums: Sequence[Factor], dens: Sequence[Factor]) -> np.ndarray:
    """`Π nums / Π dens` rounded half away from zero, exactly, whatever the magnitudes.

    The scalar factors (powers of ten of the decimal scales) are multiplied and reduced by their common
    divisor first, so that scaled inputs such as DECIMAL(18, 10) prices stay within int64. Rows whose
    products fit in int64 are computed in one compiled pass; the (rare) others fall back to Python
    integers, so the result is exact in every case.

    Args:
        nums: factors of the numerator (int64 arrays of one length, or ints).
        dens: factors of the denominator (positive).

    Returns:
        int64 array of the rounded ratios.
    """
    length = max((np.size(f) for f in (*nums, *dens) if np.ndim(f)), default=1)
    num_k = math.prod(int(f) for f in nums if not np.ndim(f))
    den_k = math.prod(int(f) for f in dens if not np.ndim(f))
    common = math.gcd(num_k, den_k)
    num_k, den_k = num_k // common, den_k // common
    num_arr = _stacked([f for f in nums if np.ndim(f)], length)
    den_arr = _stacked([f for f in dens if np.ndim(f)], length)
    out = np.zeros(length, dtype=np.int64)
    overflow = np.zeros(length, dtype=np.bool_)
    if max(abs(num_k), den_k) < 2**62:
        _ratio_kernel(num_arr, num_k, den_arr, den_k, out, overflow)
    else:
        overflow[:] = True
    for i in np.flatnonzero(overflow):
        big_num = num_k * int(np.prod(num_arr[:, i].astype(object)))
        big_den = den_k * int(np.prod(den_arr[:, i].astype(object)))
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


@njit(cache=True, nogil=True)
def _decimal_words(unscaled: np.ndarray, words: np.ndarray) -> int:
    """Fill the two int64 words (low, sign) of each decimal128; return the largest magnitude."""
    largest = 0
    for i in range(unscaled.size):
        value = unscaled[i]
        words[2 * i] = value
        words[2 * i + 1] = value >> 63
        magnitude = value if value >= 0 else -value
        if magnitude > largest:
            largest = magnitude
    return largest


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
    precision = 18 if _decimal_words(unscaled, words) < 10**18 else 38
    mask = None
    null_count = 0
    if valid is not None and not valid.all():
        mask = pa.py_buffer(np.packbits(valid, bitorder="little"))
        null_count = int(valid.size - np.count_nonzero(valid))
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale),
        unscaled.size,
        [mask, pa.py_buffer(words)],  # the buffers keep their arrays alive: no copy
        null_count=null_count,
    )


@njit(cache=True, nogil=True)
def _scaled_ratio_kernel(
    num: np.ndarray, den: np.ndarray, scale: int, out: np.ndarray, valid: np.ndarray, overflow: np.ndarray
) -> None:
    """out = num × scale / den half away from zero (the sign of den moved to num); invalid where den is 0."""
    limit = (np.int64(1) << 62) // scale
    for i in range(num.size):
        d = den[i]
        if d == 0:
            valid[i] = False
            continue
        n = num[i] if d > 0 else -num[i]
        if abs(n) > limit:
            overflow[i] = True
        else:
            out[i] = div_half_up(n * scale, abs(d))


def safe_ratio(num: np.ndarray, den: np.ndarray, digits: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """`num / den` to `digits` decimals half-up, as (unscaled int64, valid mask); null where den == 0.

    Both inputs share one unit (cents, units...), so the scale of the ratio is only `digits`. A negative
    denominator is allowed: the sign moves to the numerator. One compiled pass; the (rare) products
    beyond int64 are computed exactly with Python integers.
    """
    num, den = np.broadcast_arrays(np.asarray(num, dtype=np.int64), np.asarray(den, dtype=np.int64))
    num, den = np.ascontiguousarray(num), np.ascontiguousarray(den)
    out = np.zeros(num.size, dtype=np.int64)
    valid = np.ones(num.size, dtype=np.bool_)
    overflow = np.zeros(num.size, dtype=np.bool_)
    _scaled_ratio_kernel(num.ravel(), den.ravel(), 10**digits, out, valid, overflow)
    for i in np.flatnonzero(overflow):
        sign = -1 if den.flat[i] < 0 else 1
        out[i] = ratio_half_up([int(num.flat[i]) * sign, 10**digits], [abs(int(den.flat[i]))])[0]
    return out.reshape(num.shape), valid.reshape(num.shape)
