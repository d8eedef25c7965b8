"""Vector registers for the population kernel: a few patients' modes held across every step.

numba vectorises a loop over an array, but a state carried from one time step to the next
through an array is loaded and stored at every step, and the step's constants are reloaded
too; the population loop was bound by those memory operations (ADR 0039). These intrinsics
give numba a value that is one LLVM vector of ``LANES`` doubles (one patient a lane), and a
tuple of them for the modes, so that a tile of patients' modes, constants and running
summaries stay in registers for a whole segment of equal steps. Arithmetic is IEEE double: one
fused multiply-add per mode and step, as the block loop compiled it, so results are unchanged.

numba keys a cached loop on the loop's own file: after editing this file, empty the kernel
cache (or touch ``tiles.py``), or the loops keep the old code.
"""

# numba's extension interface is untyped: every code generator takes (context, builder,
# signature, arguments) and every typing function numba's typing context, used or not.
# ruff: noqa: ANN401, ARG001

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

LANES = 8  # one 512-bit register of doubles (two 256-bit ones where that is the width)

_unpack: Any = cgutils.unpack_tuple
_item_pointer: Any = cgutils.get_item_pointer
_function: Any = cgutils.get_or_insert_function
_uni_tuple: Any = types.UniTuple
_VEC_IR = ir.VectorType(ir.DoubleType(), LANES)
_F32_IR = ir.VectorType(ir.FloatType(), LANES)
_I32 = ir.IntType(32)


class Vec(types.Type):
    """``LANES`` doubles, one patient each, as one LLVM vector value."""

    def __init__(self) -> None:
        super().__init__(name=f"f64x{LANES}")


VEC = Vec()


@register_model(Vec)
class _VecModel(models.PrimitiveModel):
    def __init__(self, dmm: Any, fe_type: Any) -> None:
        super().__init__(dmm, fe_type, _VEC_IR)  # type: ignore[no-untyped-call]


def _vector_pointer(context: Any, builder: Any, aryty: Any, array: Any, index: list[Any]) -> Any:
    """Where ``LANES`` consecutive items of a C-contiguous array start."""
    ary = context.make_array(aryty)(context, builder, array)
    ptr = _item_pointer(context, builder, aryty, ary, index)
    target = _F32_IR if aryty.dtype == types.float32 else _VEC_IR
    return builder.bitcast(ptr, target.as_pointer())


def _intp(context: Any, builder: Any, value: Any, ty: Any) -> Any:
    return context.cast(builder, value, ty, types.intp)


def _call(builder: Any, name: str, *args: Any) -> Any:
    """An LLVM intrinsic on vectors of doubles (``llvm.fma.v8f64`` …)."""
    fnty = ir.FunctionType(_VEC_IR, [_VEC_IR] * len(args))
    return builder.call(_function(builder.module, fnty, f"{name}.v{LANES}f64"), list(args))


def _broadcast(builder: Any, value: Any) -> Any:
    vec = ir.Constant(_VEC_IR, ir.Undefined)
    for k in range(LANES):
        vec = builder.insert_element(vec, value, ir.Constant(_I32, k))
    return vec


def _zero() -> Any:
    return ir.Constant(_VEC_IR, [ir.Constant(ir.DoubleType(), 0.0)] * LANES)


def _rows(count: int) -> Any:
    return _uni_tuple(VEC, count)


def _splat(typingctx: Any, x: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return _broadcast(builder, context.cast(builder, args[0], sig.args[0], types.float64))

    return VEC(x), codegen


def _load(typingctx: Any, a: Any, i: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        index = [_intp(context, builder, args[1], sig.args[1])]
        return builder.load(_vector_pointer(context, builder, sig.args[0], args[0], index), align=8)

    return VEC(a, i), codegen


def _store(typingctx: Any, a: Any, i: Any, v: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        index = [_intp(context, builder, args[1], sig.args[1])]
        ptr = _vector_pointer(context, builder, sig.args[0], args[0], index)
        if sig.args[0].dtype == types.float32:
            builder.store(builder.fptrunc(args[2], _F32_IR), ptr, align=4)
        else:
            builder.store(args[2], ptr, align=8)
        return context.get_dummy_value()

    return types.none(a, i, v), codegen


def _lane(typingctx: Any, v: Any, k: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        index = builder.trunc(_intp(context, builder, args[1], sig.args[1]), _I32)
        return builder.extract_element(args[0], index)

    return types.float64(v, k), codegen


def _binary(op: str) -> Any:
    def typer(typingctx: Any, a: Any, b: Any) -> Any:
        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            return getattr(builder, op)(args[0], args[1])

        return VEC(a, b), codegen

    typer.__name__ = f"lanes_{op}"
    return intrinsic(typer)


def _select(predicate: str, name: str) -> Any:
    def typer(typingctx: Any, a: Any, b: Any, x: Any, y: Any) -> Any:
        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            mask = builder.fcmp_ordered(predicate, args[0], args[1])
            return builder.select(mask, args[2], args[3])

        return VEC(a, b, x, y), codegen

    typer.__name__ = f"lanes_where_{name}"
    return intrinsic(typer)


def _any_gt(typingctx: Any, a: Any, b: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        bits = builder.bitcast(builder.fcmp_ordered(">", args[0], args[1]), ir.IntType(LANES))
        return builder.icmp_unsigned("!=", bits, ir.Constant(ir.IntType(LANES), 0))

    return types.boolean(a, b), codegen


def _zero_rows(typingctx: Any, token: Any) -> Any:
    rows = _rows(token.count)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return context.make_tuple(builder, sig.return_type, [_zero()] * rows.count)

    return rows(token), codegen


def _load_rows(typingctx: Any, a: Any, i: Any, token: Any) -> Any:
    rows = _rows(token.count)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        col = _intp(context, builder, args[1], sig.args[1])
        values = []
        for m in range(rows.count):
            index = [context.get_constant(types.intp, m), col]
            ptr = _vector_pointer(context, builder, sig.args[0], args[0], index)
            values.append(builder.load(ptr, align=8))
        return context.make_tuple(builder, sig.return_type, values)

    return rows(a, i, token), codegen


def _store_rows(typingctx: Any, a: Any, i: Any, r: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        col = _intp(context, builder, args[1], sig.args[1])
        for m, value in enumerate(_unpack(builder, args[2], sig.args[2].count)):
            index = [context.get_constant(types.intp, m), col]
            ptr = _vector_pointer(context, builder, sig.args[0], args[0], index)
            builder.store(value, ptr, align=8)  # rows are 8-byte aligned, not vector-aligned
        return context.get_dummy_value()

    return types.none(a, i, r), codegen


def _add_rows(typingctx: Any, a: Any, b: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        n = sig.return_type.count
        pairs = zip(_unpack(builder, args[0], n), _unpack(builder, args[1], n), strict=True)
        return context.make_tuple(builder, sig.return_type, [builder.fadd(x, y) for x, y in pairs])

    return a(a, b), codegen


def _step_rows(typingctx: Any, z: Any, e: Any, c: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        n = sig.return_type.count
        zs, es, cs = (_unpack(builder, x, n) for x in args)
        values = [_call(builder, "llvm.fma", *abc) for abc in zip(zs, es, cs, strict=True)]
        return context.make_tuple(builder, sig.return_type, values)

    return z(z, e, c), codegen


def _flush_rows(typingctx: Any, z: Any, tiny: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        bound = _broadcast(builder, context.cast(builder, args[1], sig.args[1], types.float64))
        values = []
        for zz in _unpack(builder, args[0], sig.return_type.count):
            keep = builder.fcmp_ordered(">", _call(builder, "llvm.fabs", zz), bound)
            values.append(builder.select(keep, zz, _zero()))
        return context.make_tuple(builder, sig.return_type, values)

    return z(z, tiny), codegen


def _dot_rows(typingctx: Any, w: Any, z: Any) -> Any:
    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        n = sig.args[0].count
        ws, zs = _unpack(builder, args[0], n), _unpack(builder, args[1], n)
        acc = builder.fmul(ws[0], zs[0])
        for ww, zz in zip(ws[1:], zs[1:], strict=True):
            acc = _call(builder, "llvm.fma", ww, zz, acc)
        return acc

    return VEC(w, z), codegen


# Called from compiled code only. One vector of lanes:
splat: Any = intrinsic(_splat)  # every lane x
load: Any = intrinsic(_load)  # a[i : i + LANES] of a contiguous float64 row
store: Any = intrinsic(_store)  # a[i : i + LANES] = v, into a float64 or float32 row
lane: Any = intrinsic(_lane)  # lane k, as a float
add: Any = _binary("fadd")
mul: Any = _binary("fmul")
where_gt: Any = _select(">", "gt")  # per lane x where a > b (false for NaN), else y
where_ge: Any = _select(">=", "ge")
where_lt: Any = _select("<", "lt")
any_gt: Any = intrinsic(_any_gt)  # whether a > b in any lane
# A tuple of vectors, one per mode (``token``: any tuple as long as the modes):
zero_rows: Any = intrinsic(_zero_rows)
load_rows: Any = intrinsic(_load_rows)  # rows 0 … M − 1 of a C-contiguous 2-D array, columns i …
store_rows: Any = intrinsic(_store_rows)
add_rows: Any = intrinsic(_add_rows)
step_rows: Any = intrinsic(_step_rows)  # z·e + c, one fused multiply-add: every mode's exact step
flush_rows: Any = intrinsic(_flush_rows)  # lanes with |z| ≤ tiny set to 0 (no subnormals)
dot_rows: Any = intrinsic(_dot_rows)  # Σ_m w_m · z_m in mode order, by fused multiply-adds
