package org.maskrcnn4j.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The static shape and dtype checks of {@link CheckedOps}. Unknown dimensions (-1, while tracing) are
 * never reported as wrong; every message names the op, the argument and the shapes involved.
 */
final class OpChecks {
    private OpChecks() {
    }

    static IllegalArgumentException error(String op, String message) {
        return new IllegalArgumentException(op + ": " + message);
    }

    static void rank(String op, String arg, Tensor t, int expected) {
        if (t.rank() != expected) {
            throw error(op, arg + " must have rank " + expected + ", got shape " + t.shape());
        }
    }

    static void lastDim(String op, String arg, Tensor t, long expected) {
        long d = t.shape().get(-1);
        if (d >= 0 && d != expected) {
            throw error(op, arg + " must have last dimension " + expected + ", got shape " + t.shape());
        }
    }

    static void sameDim(String op, String what, long a, String otherWhat, long b, Tensor x, Tensor y) {
        if (a >= 0 && b >= 0 && a != b) {
            throw error(op, what + " (" + a + ") must equal " + otherWhat + " (" + b + "); shapes " + x.shape()
                    + " and " + y.shape());
        }
    }

    static void floating(String op, String arg, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw error(op, arg + " must be floating point, got " + t.dtype() + " " + t.shape());
        }
    }

    static void integer(String op, String arg, Tensor t) {
        if (!t.dtype().isInteger()) {
            throw error(op, arg + " must be an integer tensor, got " + t.dtype() + " " + t.shape());
        }
    }

    static void bool(String op, String arg, Tensor t) {
        if (t.dtype() != DType.BOOL) {
            throw error(op, arg + " must be BOOL, got " + t.dtype() + " " + t.shape());
        }
    }

    static void positive(String op, String what, int a, int b) {
        if (a <= 0 || b <= 0) {
            throw error(op, what + " must be positive, got " + a + " x " + b);
        }
    }

    static void pairs(String op, int[]... pairs) {
        for (int[] p : pairs) {
            if (p.length != 2) {
                throw error(op, "stride, padding and dilation take {h, w}, got " + Arrays.toString(p));
            }
        }
    }

    static void boxes(String op, Tensor boxes) {
        rank(op, "boxes", boxes, 2);
        lastDim(op, "boxes", boxes, 4);
    }

    static void scores(String op, Tensor boxes, Tensor values) {
        rank(op, "scores", values, 1);
        long n = boxes.shape().get(0);
        long m = values.shape().get(0);
        if (n >= 0 && m >= 0 && n != m) {
            throw error(op, "boxes " + boxes.shape() + " and per-box values " + values.shape() + " differ in length");
        }
    }

    static void broadcast(String op, Tensor a, Tensor b) {
        long[] x = a.shape().dims();
        long[] y = b.shape().dims();
        for (int i = 1; i <= Math.min(x.length, y.length); i++) {
            long p = x[x.length - i];
            long q = y[y.length - i];
            if (p >= 0 && q >= 0 && p != q && p != 1 && q != 1) {
                throw error(op, "shapes " + a.shape() + " and " + b.shape() + " do not broadcast");
            }
        }
    }

    static void matmul(Tensor a, Tensor b) {
        if (a.rank() < 2 || b.rank() < 2) {
            throw error("matmul", "operands need rank >= 2, got " + a.shape() + " and " + b.shape());
        }
        long k1 = a.shape().get(-1);
        long k2 = b.shape().get(-2);
        if (k1 >= 0 && k2 >= 0 && k1 != k2) {
            throw error("matmul", "inner dimensions differ: " + a.shape() + " x " + b.shape());
        }
    }

    static void sameRank(String op, List<Tensor> tensors) {
        if (tensors.isEmpty()) {
            throw error(op, "needs at least one tensor");
        }
        int r = tensors.get(0).rank();
        for (Tensor t : tensors) {
            if (t.rank() != r) {
                StringBuilder shapes = new StringBuilder();
                for (Tensor u : tensors) {
                    shapes.append(shapes.length() == 0 ? "" : ", ").append(u.shape());
                }
                throw error(op, "tensors must have equal rank, got " + shapes);
            }
        }
    }

    static void permutation(String op, Tensor t, int[] axes) {
        boolean[] seen = new boolean[t.rank()];
        boolean ok = axes.length == t.rank();
        for (int i = 0; ok && i < axes.length; i++) {
            int a = axes[i] < 0 ? axes[i] + t.rank() : axes[i];
            ok = a >= 0 && a < t.rank() && !seen[a];
            if (ok) {
                seen[a] = true;
            }
        }
        if (!ok) {
            throw error(op, Arrays.toString(axes) + " is not a permutation of the axes of " + t.shape());
        }
    }

    static void reshape(Tensor t, long[] shape) {
        int unknown = 0;
        long product = 1;
        for (long d : shape) {
            if (d == -1) {
                unknown++;
            } else if (d < 0) {
                throw error("reshape", "invalid target dimension " + d + " in " + Arrays.toString(shape));
            } else {
                product *= d;
            }
        }
        if (unknown > 1) {
            throw error("reshape", "at most one -1 allowed, got " + Arrays.toString(shape));
        }
        if (t.shape().isKnown()) {
            long n = t.shape().size();
            boolean fits = unknown == 0 ? n == product : product != 0 ? n % product == 0 : n == 0;
            if (!fits) {
                throw error("reshape", "cannot reshape " + t.shape() + " (" + n + " elements) to "
                        + Arrays.toString(shape));
            }
        }
    }

    static void padding(Tensor t, long[] before, long[] after) {
        if (before.length != t.rank() || after.length != t.rank()) {
            throw error("pad", "needs one before/after amount per axis of " + t.shape() + ", got "
                    + Arrays.toString(before) + " / " + Arrays.toString(after));
        }
    }
}
