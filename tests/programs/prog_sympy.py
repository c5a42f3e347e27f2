"""sympy: an expanded multinomial, a symbolic matrix's determinant, a
series and a simplification, with sympy's caches full."""
import sympy

PREFIXES = ("sympy.",)
CLASS = "sympy.core.mul.Mul"


def main(checkpoint):
    x, y, z, w = sympy.symbols("x y z w")
    poly = sympy.expand((x + y + z + w + 1) ** 10)
    m = sympy.Matrix(5, 5, lambda i, j: sympy.Symbol("a%d%d" % (i, j)))
    det = m.det(method="berkowitz")
    ser = sympy.series(sympy.exp(sympy.sin(x)), x, 0, 12)
    simp = sympy.simplify(sympy.sin(x) ** 2 + sympy.cos(x) ** 2 + (x ** 2 - 1) / (x - 1))
    keep = [poly, m, det, ser, simp]
    checkpoint()
    del keep
    return {"terms": len(poly.args)}
