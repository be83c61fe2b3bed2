package org.maskrcnn4j.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.maskrcnn4j.testing.FixtureAssert.assertClose;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Ops;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Conformance: the general ops of {@link Ops} on small inputs whose expected values are worked out by
 * hand or with {@link Math} here, including PyTorch's exact flavours (stable sort, round half to even,
 * truncating casts, bilinear resize with and without a given scale, nearest resize).
 */
public abstract class OpsConformance extends BackendTestBase {

    private HostTensor eval(java.util.function.Function<Ops, Tensor> f) {
        return run1(Map.of(), (ops, in) -> f.apply(ops));
    }

    private static float[] f(float... v) {
        return v;
    }

    @Test
    void creationAndShapes() {
        HostTensor full = eval(ops -> ops.full(Shape.of(2, 3), 1.5, DType.FLOAT32));
        assertThat(full.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(full.toFloatArray()).containsOnly(1.5f);
        assertThat(eval(ops -> ops.arange(2, 11, 3, DType.INT64)).toLongArray()).containsExactly(2, 5, 8);
        assertThat(eval(ops -> ops.range(ops.scalar(4, DType.INT64), DType.INT64)).toLongArray()).containsExactly(0, 1, 2, 3);
        HostTensor filled = eval(ops -> ops.fill(ops.constant(new long[] {2, 2}, 2), 7, DType.INT64));
        assertThat(filled.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(filled.toLongArray()).containsExactly(7, 7, 7, 7);
        HostTensor x = HostTensor.ofFloats(f(1, 2, 3, 4, 5, 6), 2, 3);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.shapeOf(in.get("x"))).toLongArray()).containsExactly(2, 3);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.size(in.get("x"), 1)).toLongArray()).containsExactly(3);
        HostTensor perm = run1(inputs("x", x), (ops, in) -> ops.permute(in.get("x"), 1, 0));
        assertThat(perm.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(perm.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.reshape(in.get("x"), -1, 2)).shape()).isEqualTo(Shape.of(3, 2));
        assertThat(run1(inputs("x", x), (ops, in) -> ops.reshape(in.get("x"), ops.constant(new long[] {3, -1}, 2))).shape())
                .isEqualTo(Shape.of(3, 2));
        assertThat(run1(inputs("x", x), (ops, in) -> ops.unsqueeze(in.get("x"), 1)).shape()).isEqualTo(Shape.of(2, 1, 3));
        assertThat(run1(inputs("x", x), (ops, in) -> ops.squeeze(ops.unsqueeze(in.get("x"), 0), 0)).shape()).isEqualTo(Shape.of(2, 3));
        HostTensor b = run1(inputs("x", HostTensor.ofFloats(f(1, 2), 2, 1)),
                (ops, in) -> ops.broadcastTo(in.get("x"), ops.constant(new long[] {2, 3}, 2)));
        assertThat(b.toFloatArray()).containsExactly(1, 1, 1, 2, 2, 2);
    }

    @Test
    void concatStackSliceSplitPad() {
        HostTensor a = HostTensor.ofFloats(f(1, 2, 3, 4), 2, 2);
        HostTensor b = HostTensor.ofFloats(f(5, 6), 1, 2);
        HostTensor cat = run1(inputs("a", a, "b", b), (ops, in) -> ops.concat(List.of(in.get("a"), in.get("b")), 0));
        assertThat(cat.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        HostTensor st = run1(inputs("a", a), (ops, in) -> ops.stack(List.of(in.get("a"), in.get("a")), 2));
        assertThat(st.shape()).isEqualTo(Shape.of(2, 2, 2));
        assertThat(st.toFloatArray()).containsExactly(1, 1, 2, 2, 3, 3, 4, 4);
        HostTensor x = HostTensor.ofFloats(f(0, 1, 2, 3, 4, 5, 6), 7);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.slice(in.get("x"), 0, 1, 6, 2)).toFloatArray()).containsExactly(1, 3, 5);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.slice(in.get("x"), 0, 0, 1000)).toFloatArray()).hasSize(7);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.slice(in.get("x"), 0, -2, Long.MAX_VALUE)).toFloatArray()).containsExactly(5, 6);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.split(in.get("x"), new long[] {3, 4}, 0).get(1)).toFloatArray())
                .containsExactly(3, 4, 5, 6);
        HostTensor padded = run1(inputs("a", a), (ops, in) -> ops.pad(in.get("a"), new long[] {0, 1}, new long[] {1, 0}, -1));
        assertThat(padded.shape()).isEqualTo(Shape.of(3, 3));
        assertThat(padded.toFloatArray()).containsExactly(-1, 1, 2, -1, 3, 4, -1, -1, -1);
        HostTensor padded2 = run1(inputs("a", a), (ops, in) -> ops.pad(in.get("a"), ops.constant(new long[] {1, 0, 0, 2}, 2, 2), 0));
        assertThat(padded2.shape()).isEqualTo(Shape.of(3, 4));
        assertThat(padded2.toFloatArray()).containsExactly(0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0);
        HostTensor emptyPadded = run1(inputs("e", HostTensor.ofFloats(new float[0], 0, 2)),
                (ops, in) -> ops.pad(in.get("e"), new long[] {0, 1}, new long[] {0, 0}, 5));
        assertThat(emptyPadded.shape()).isEqualTo(Shape.of(0, 3));
    }

    @Test
    void elementwiseMath() {
        float[] v = f(-2.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.7f);
        HostTensor x = HostTensor.ofFloats(v, 6);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.round(in.get("x"))).toFloatArray()).containsExactly(-2, -0f, 0, 2, 2, 4);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.floor(in.get("x"))).toFloatArray()).containsExactly(-3, -1, 0, 1, 2, 3);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.ceil(in.get("x"))).toFloatArray()).containsExactly(-2, -0f, 1, 2, 3, 4);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.cast(in.get("x"), DType.INT64)).toLongArray())
                .containsExactly(-2, 0, 0, 1, 2, 3);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.abs(in.get("x"))).toFloatArray()).containsExactly(2.5f, 0.5f, 0.5f, 1.5f, 2.5f, 3.7f);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.relu(in.get("x"))).toFloatArray()).containsExactly(0, 0, 0.5f, 1.5f, 2.5f, 3.7f);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.neg(in.get("x"))).toFloatArray()).containsExactly(2.5f, 0.5f, -0.5f, -1.5f, -2.5f, -3.7f);
        assertThat(run1(inputs("x", x), (ops, in) -> ops.clamp(in.get("x"), -1, 2)).toFloatArray()).containsExactly(-1, -0.5f, 0.5f, 1.5f, 2, 2);
        double[] ex = run1(inputs("x", x), (ops, in) -> ops.exp(in.get("x"))).toDoubleArray();
        double[] sg = run1(inputs("x", x), (ops, in) -> ops.sigmoid(in.get("x"))).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(ex[i]).isCloseTo(Math.exp(v[i]), within(1e-6 * Math.exp(v[i])));
            assertThat(sg[i]).isCloseTo(1 / (1 + Math.exp(-v[i])), within(1e-6));
        }
        HostTensor p = HostTensor.ofFloats(f(0.25f, 1f, 2f, 1e-8f, 10f), 5);
        double[] pv = p.toDoubleArray();
        double[] lg = run1(inputs("p", p), (ops, in) -> ops.log(in.get("p"))).toDoubleArray();
        double[] l2 = run1(inputs("p", p), (ops, in) -> ops.log2(in.get("p"))).toDoubleArray();
        double[] l1p = run1(inputs("p", p), (ops, in) -> ops.log1p(in.get("p"))).toDoubleArray();
        double[] sq = run1(inputs("p", p), (ops, in) -> ops.sqrt(in.get("p"))).toDoubleArray();
        for (int i = 0; i < pv.length; i++) {
            assertThat(lg[i]).isCloseTo(Math.log(pv[i]), within(1e-5));
            assertThat(l1p[i]).isCloseTo(Math.log1p(pv[i]), within(1e-7 + 1e-6 * Math.log1p(pv[i])));
            assertThat(sq[i]).isCloseTo(Math.sqrt(pv[i]), within(1e-6 * Math.sqrt(pv[i]) + 1e-12));
        }
        assertThat(l2[0]).isEqualTo(-2.0);
        assertThat(l2[1]).isEqualTo(0.0);
        assertThat(l2[2]).isEqualTo(1.0);
        HostTensor a = HostTensor.ofFloats(f(1, 2, 3, 4), 2, 2);
        HostTensor row = HostTensor.ofFloats(f(10, 20), 2);
        assertThat(run1(inputs("a", a, "r", row), (ops, in) -> ops.add(in.get("a"), in.get("r"))).toFloatArray()).containsExactly(11, 22, 13, 24);
        assertThat(run1(inputs("a", a, "r", row), (ops, in) -> ops.sub(in.get("a"), in.get("r"))).toFloatArray()).containsExactly(-9, -18, -7, -16);
        assertThat(run1(inputs("a", a, "r", row), (ops, in) -> ops.mul(in.get("a"), in.get("r"))).toFloatArray()).containsExactly(10, 40, 30, 80);
        assertThat(run1(inputs("a", a, "r", row), (ops, in) -> ops.div(in.get("r"), in.get("a"))).toFloatArray()).containsExactly(10, 10, 10f / 3, 5);
        assertThat(run1(inputs("a", a), (ops, in) -> ops.maximum(in.get("a"), ops.scalar(2.5, DType.FLOAT32))).toFloatArray()).containsExactly(2.5f, 2.5f, 3, 4);
        assertThat(run1(inputs("a", a), (ops, in) -> ops.minimum(in.get("a"), ops.scalar(2.5, DType.FLOAT32))).toFloatArray()).containsExactly(1, 2, 2.5f, 2.5f);
        HostTensor i = HostTensor.ofLongs(new long[] {7, 8, 9, 416}, 4);
        assertThat(run1(inputs("i", i), (ops, in) -> ops.floorDiv(in.get("i"), ops.constant(new long[] {2, 4, 3, 7}, 4))).toLongArray())
                .containsExactly(3, 2, 3, 59);
    }

    @Test
    void comparisonsAndSelection() {
        HostTensor a = HostTensor.ofFloats(f(1, 2, 3), 3);
        HostTensor b = HostTensor.ofFloats(f(2, 2, 2), 3);
        Map<String, HostTensor> in2 = inputs("a", a, "b", b);
        assertThat(run1(in2, (ops, in) -> ops.lt(in.get("a"), in.get("b"))).toLongArray()).containsExactly(1, 0, 0);
        assertThat(run1(in2, (ops, in) -> ops.le(in.get("a"), in.get("b"))).toLongArray()).containsExactly(1, 1, 0);
        assertThat(run1(in2, (ops, in) -> ops.gt(in.get("a"), in.get("b"))).toLongArray()).containsExactly(0, 0, 1);
        assertThat(run1(in2, (ops, in) -> ops.ge(in.get("a"), in.get("b"))).toLongArray()).containsExactly(0, 1, 1);
        assertThat(run1(in2, (ops, in) -> ops.eq(in.get("a"), in.get("b"))).toLongArray()).containsExactly(0, 1, 0);
        HostTensor ne = run1(in2, (ops, in) -> ops.ne(in.get("a"), in.get("b")));
        assertThat(ne.dtype()).isEqualTo(DType.BOOL);
        assertThat(ne.toLongArray()).containsExactly(1, 0, 1);
        assertThat(run1(in2, (ops, in) -> ops.logicalAnd(ops.ge(in.get("a"), in.get("b")), ops.le(in.get("a"), in.get("b")))).toLongArray())
                .containsExactly(0, 1, 0);
        assertThat(run1(in2, (ops, in) -> ops.logicalOr(ops.lt(in.get("a"), in.get("b")), ops.gt(in.get("a"), in.get("b")))).toLongArray())
                .containsExactly(1, 0, 1);
        assertThat(run1(in2, (ops, in) -> ops.logicalNot(ops.lt(in.get("a"), in.get("b")))).toLongArray()).containsExactly(0, 1, 1);
        assertThat(run1(in2, (ops, in) -> ops.where(ops.lt(in.get("a"), in.get("b")), in.get("a"), in.get("b"))).toFloatArray())
                .containsExactly(1, 2, 2);
    }

    @Test
    void reductions() {
        HostTensor x = HostTensor.ofFloats(f(1, 5, 3, 4, 2, 6), 2, 3);
        Map<String, HostTensor> in1 = inputs("x", x);
        assertThat(run1(in1, (ops, in) -> ops.sum(in.get("x"), new int[] {1}, false)).toFloatArray()).containsExactly(9, 12);
        assertThat(run1(in1, (ops, in) -> ops.sum(in.get("x"), new int[] {0}, true)).shape()).isEqualTo(Shape.of(1, 3));
        assertThat(run1(in1, (ops, in) -> ops.sum(in.get("x"))).toFloatArray()).containsExactly(21);
        assertThat(run1(in1, (ops, in) -> ops.mean(in.get("x"), new int[] {0}, false)).toFloatArray()).containsExactly(2.5f, 3.5f, 4.5f);
        assertThat(run1(in1, (ops, in) -> ops.max(in.get("x"), new int[] {1}, false)).toFloatArray()).containsExactly(5, 6);
        assertThat(run1(in1, (ops, in) -> ops.min(in.get("x"), new int[] {0, 1}, false)).toFloatArray()).containsExactly(1);
        assertThat(run1(in1, (ops, in) -> ops.argmax(in.get("x"), 1, false)).toLongArray()).containsExactly(1, 2);
        HostTensor ties = HostTensor.ofFloats(f(3, 1, 3), 3);
        assertThat(run1(inputs("x", ties), (ops, in) -> ops.argmax(in.get("x"), 0, false)).toLongArray()).containsExactly(0);
    }

    @Test
    void matmulLinearAndLayers() {
        HostTensor a = HostTensor.ofFloats(f(1, 2, 3, 4, 5, 6), 2, 3);
        HostTensor b = HostTensor.ofFloats(f(1, 0, 0, 1, 1, 1), 3, 2);
        assertThat(run1(inputs("a", a, "b", b), (ops, in) -> ops.matmul(in.get("a"), in.get("b"))).toFloatArray())
                .containsExactly(4, 5, 10, 11);
        HostTensor w = HostTensor.ofFloats(f(1, 0, 0, 1, 1, 1), 2, 3);
        HostTensor bias = HostTensor.ofFloats(f(0.5f, -1), 2);
        assertThat(run1(inputs("a", a, "w", w, "c", bias), (ops, in) -> ops.linear(in.get("a"), in.get("w"), in.get("c"))).toFloatArray())
                .containsExactly(1.5f, 5, 4.5f, 14);

        // conv: 1x1x3x3 input, 2 filters 2x2, stride 1, padding 0, plus a depthwise-style groups check
        HostTensor img = HostTensor.ofFloats(f(1, 2, 3, 4, 5, 6, 7, 8, 9), 1, 1, 3, 3);
        HostTensor k = HostTensor.ofFloats(f(1, 0, 0, 1, 0, 1, 1, 0), 2, 1, 2, 2);
        HostTensor conv = run1(inputs("x", img, "k", k), (ops, in) -> ops.conv2d(in.get("x"), in.get("k"),
                ops.constant(f(0, 100), 2), new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1));
        assertThat(conv.shape()).isEqualTo(Shape.of(1, 2, 2, 2));
        assertThat(conv.toFloatArray()).containsExactly(6, 8, 12, 14, 106, 108, 112, 114);
        HostTensor strided = run1(inputs("x", img, "k", HostTensor.ofFloats(f(1), 1, 1, 1, 1)), (ops, in) -> ops.conv2d(in.get("x"),
                in.get("k"), null, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1));
        // padded 5x5, samples at rows and columns 0, 2, 4: only the centre (2, 2) holds an image pixel (5)
        assertThat(strided.toFloatArray()).containsExactly(0, 0, 0, 0, 5, 0, 0, 0, 0);
        HostTensor dilated = run1(inputs("x", img, "k", HostTensor.ofFloats(f(1, 1, 1, 1), 1, 1, 2, 2)), (ops, in) -> ops.conv2d(in.get("x"),
                in.get("k"), null, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2}, 1));
        assertThat(dilated.toFloatArray()).containsExactly(1 + 3 + 7 + 9);
        HostTensor two = HostTensor.ofFloats(f(1, 2, 3, 4, 10, 20, 30, 40), 1, 2, 2, 2);
        HostTensor grouped = run1(inputs("x", two, "k", HostTensor.ofFloats(f(1, 2), 2, 1, 1, 1)), (ops, in) -> ops.conv2d(in.get("x"),
                in.get("k"), null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2));
        assertThat(grouped.toFloatArray()).containsExactly(1, 2, 3, 4, 20, 40, 60, 80);

        // transposed conv 2x2 stride 2: every input pixel stamps the kernel times its value
        HostTensor small = HostTensor.ofFloats(f(1, 2), 1, 1, 1, 2);
        HostTensor tk = HostTensor.ofFloats(f(1, 2, 3, 4), 1, 1, 2, 2);
        HostTensor up = run1(inputs("x", small, "k", tk), (ops, in) -> ops.convTranspose2d(in.get("x"), in.get("k"),
                ops.constant(f(0.5f), 1), new int[] {2, 2}, new int[] {0, 0}));
        assertThat(up.shape()).isEqualTo(Shape.of(1, 1, 2, 4));
        assertThat(up.toFloatArray()).containsExactly(1.5f, 2.5f, 2.5f, 4.5f, 3.5f, 4.5f, 6.5f, 8.5f);

        HostTensor bn = run1(inputs("x", two), (ops, in) -> ops.batchNorm(in.get("x"), ops.constant(f(1, 10), 2),
                ops.constant(f(4, 100), 2), ops.constant(f(2, 1), 2), ops.constant(f(0, 1), 2), 0));
        assertThat(bn.toFloatArray()).containsExactly(0, 1, 2, 3, 1, 2, 3, 4);
        HostTensor gn = run1(inputs("x", two), (ops, in) -> ops.groupNorm(in.get("x"), 2, ops.constant(f(1, 1), 2),
                ops.constant(f(0, 0), 2), 0));
        double sd = Math.sqrt(1.25);
        assertClose("groupNorm", gn.toDoubleArray(), new double[] {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd,
                -1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd}, 1e-5, 0);

        HostTensor pool = run1(inputs("x", img), (ops, in) -> ops.maxPool2d(in.get("x"), new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}));
        assertThat(pool.toFloatArray()).containsExactly(5);
        HostTensor pool1 = run1(inputs("x", img), (ops, in) -> ops.maxPool2d(in.get("x"), new int[] {1, 1}, new int[] {2, 2}, new int[] {0, 0}));
        assertThat(pool1.toFloatArray()).containsExactly(1, 3, 7, 9);
    }

    @Test
    void resizeFlavours() {
        HostTensor x = HostTensor.ofFloats(f(0, 10, 20, 30), 1, 1, 2, 2);
        // size-given bilinear 2x2 -> 3x3: ratio 2/3, src = max((d + 0.5) * 2/3 - 0.5, 0) = 0, 0.5, 1.1667 -> clamp index 1
        HostTensor up = run1(inputs("x", x), (ops, in) -> ops.resizeBilinear(in.get("x"), 3, 3));
        float r = 2f / 3f;
        float s1 = (1 + 0.5f) * r - 0.5f;
        float[] e = new float[9];
        float[] src = {0, s1, Math.min(1, (2 + 0.5f) * r - 0.5f)};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                e[i * 3 + j] = 20 * src[i] + 10 * src[j];
            }
        }
        assertClose("resizeBilinear", up.toDoubleArray(), toD(e), 1e-5, 0);
        // scale-given bilinear with scale 1.6: out floor(2 * 1.6) = 3, ratio 1 / 1.6 = 0.625
        HostTensor byScale = run1(inputs("x", x), (ops, in) -> ops.resizeBilinearByScale(in.get("x"), 1.6, 1.6));
        float[] srcS = {0, Math.min(1, 1.5f * 0.625f - 0.5f), 1};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                e[i * 3 + j] = 20 * srcS[i] + 10 * srcS[j];
            }
        }
        assertThat(byScale.shape()).isEqualTo(Shape.of(1, 1, 3, 3));
        assertClose("resizeBilinearByScale", byScale.toDoubleArray(), toD(e), 1e-5, 0);
        HostTensor near = run1(inputs("x", x, "like", HostTensor.ofFloats(new float[12], 1, 1, 3, 4)),
                (ops, in) -> ops.resizeNearestLike(in.get("x"), in.get("like")));
        // rows floor(d * 2/3) = 0,0,1; cols floor(d * 2/4) = 0,0,1,1
        assertThat(near.toFloatArray()).containsExactly(0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 30);
    }

    @Test
    void softmaxAndLosses() {
        HostTensor logits = HostTensor.ofFloats(f(1, 2, 3, 0, 0, 0), 2, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double[] sm = run1(inputs("x", logits), (ops, in) -> ops.softmax(in.get("x"), 1)).toDoubleArray();
        double[] lsm = run1(inputs("x", logits), (ops, in) -> ops.logSoftmax(in.get("x"), 1)).toDoubleArray();
        assertThat(sm[2]).isCloseTo(Math.exp(3) / z, within(1e-6));
        assertThat(sm[4]).isCloseTo(1.0 / 3, within(1e-6));
        assertThat(lsm[0]).isCloseTo(1 - Math.log(z), within(1e-5));
        double[] ce = run1(inputs("x", logits, "y", HostTensor.ofLongs(new long[] {2, 0}, 2)),
                (ops, in) -> ops.crossEntropy(in.get("x"), in.get("y"))).toDoubleArray();
        assertThat(ce[0]).isCloseTo(Math.log(z) - 3, within(1e-5));
        assertThat(ce[1]).isCloseTo(Math.log(3), within(1e-5));
        HostTensor xs = HostTensor.ofFloats(f(-30, -1, 0, 2, 40), 5);
        HostTensor ts = HostTensor.ofFloats(f(0, 1, 1, 0, 1), 5);
        double[] bce = run1(inputs("x", xs, "t", ts), (ops, in) -> ops.binaryCrossEntropyWithLogits(in.get("x"), in.get("t"))).toDoubleArray();
        double[] xv = xs.toDoubleArray();
        double[] tv = ts.toDoubleArray();
        for (int i = 0; i < 5; i++) {
            double p = 1 / (1 + Math.exp(-xv[i]));
            double expected = -(tv[i] * Math.log(p) + (1 - tv[i]) * Math.log1p(-p));
            if (Double.isInfinite(expected) || Double.isNaN(expected)) {
                expected = Math.max(xv[i], 0) - xv[i] * tv[i] + Math.log1p(Math.exp(-Math.abs(xv[i])));
            }
            assertThat(bce[i]).as("bce %d", i).isCloseTo(expected, within(1e-5));
        }
        double[] sl1 = run1(inputs("d", HostTensor.ofFloats(f(-1, 0.05f, 0.2f), 3)),
                (ops, in) -> ops.smoothL1(in.get("d"), 1.0 / 9)).toDoubleArray();
        assertThat(sl1[0]).isCloseTo(1 - 0.5 / 9, within(1e-6));
        assertThat(sl1[1]).isCloseTo(0.5 * 0.05 * 0.05 * 9, within(1e-6));
        assertThat(sl1[2]).isCloseTo(0.2 - 0.5 / 9, within(1e-6));
        HostTensor stopped = run1(inputs("x", logits), (ops, in) -> ops.stopGradient(in.get("x")));
        assertThat(stopped.toFloatArray()).containsExactly(logits.toFloatArray());
    }

    @Test
    void indexing() {
        HostTensor x = HostTensor.ofFloats(f(0, 1, 2, 3, 4, 5), 3, 2);
        HostTensor idx = HostTensor.ofLongs(new long[] {2, 0, 2}, 3);
        assertThat(run1(inputs("x", x, "i", idx), (ops, in) -> ops.gather(in.get("x"), in.get("i"), 0)).toFloatArray())
                .containsExactly(4, 5, 0, 1, 4, 5);
        HostTensor g2 = run1(inputs("x", x, "i", HostTensor.ofLongs(new long[] {1, 1, 0, 1}, 2, 2)),
                (ops, in) -> ops.gather(in.get("x"), in.get("i"), 1));
        assertThat(g2.shape()).isEqualTo(Shape.of(3, 2, 2));
        assertThat(g2.toFloatArray()).containsExactly(1, 1, 0, 1, 3, 3, 2, 3, 5, 5, 4, 5);
        HostTensor along = run1(inputs("x", x, "i", HostTensor.ofLongs(new long[] {1, 0, 1}, 3, 1)),
                (ops, in) -> ops.takeAlongAxis(in.get("x"), in.get("i"), 1));
        assertThat(along.toFloatArray()).containsExactly(1, 2, 5);
        HostTensor added = run1(inputs("x", x, "i", HostTensor.ofLongs(new long[] {2, 2}, 2), "u", HostTensor.ofFloats(f(1, 1, 10, 10), 2, 2)),
                (ops, in) -> ops.scatterAdd(in.get("x"), in.get("i"), in.get("u")));
        assertThat(added.toFloatArray()).containsExactly(0, 1, 2, 3, 15, 16);
        HostTensor mask = HostTensor.ofBooleans(new boolean[] {true, false, true}, 3);
        assertThat(run1(inputs("x", x, "m", mask), (ops, in) -> ops.booleanMask(in.get("x"), in.get("m"))).toFloatArray())
                .containsExactly(0, 1, 4, 5);
        HostTensor nz = run1(inputs("x", HostTensor.ofFloats(f(0, 3, 0, 0, 1, 2), 2, 3)), (ops, in) -> ops.nonzero(in.get("x")));
        assertThat(nz.shape()).isEqualTo(Shape.of(3, 2));
        assertThat(nz.toLongArray()).containsExactly(0, 1, 1, 1, 1, 2);
        assertThat(run1(inputs("m", mask), (ops, in) -> ops.indicesWhere(in.get("m"))).toLongArray()).containsExactly(0, 2);
        HostTensor none = run1(inputs("m", HostTensor.ofBooleans(new boolean[3], 3)), (ops, in) -> ops.indicesWhere(in.get("m")));
        assertThat(none.shape()).isEqualTo(Shape.of(0));
    }

    @Test
    void sortingIsStableAndTopKTakesAtMostK() {
        HostTensor x = HostTensor.ofFloats(f(0.5f, 0.9f, 0.5f, 0.1f, 0.9f), 5);
        Map<String, HostTensor> out = backend.compile((ops, in) -> {
            Ops.Sorted desc = ops.sort(in.get("x"), 0, true);
            Ops.Sorted asc = ops.sort(in.get("x"), 0, false);
            Ops.Sorted top = ops.topK(in.get("x"), 3, 0, true);
            Ops.Sorted all = ops.topK(in.get("x"), 100, 0, true);
            Ops.Sorted low = ops.topK(in.get("x"), 2, 0, false);
            return Map.of("dv", desc.values(), "di", desc.indices(), "ai", asc.indices(), "tv", top.values(),
                    "ti", top.indices(), "all", all.indices(), "li", low.indices());
        }).call(inputs("x", x));
        assertThat(out.get("dv").toFloatArray()).containsExactly(0.9f, 0.9f, 0.5f, 0.5f, 0.1f);
        assertThat(out.get("di").toLongArray()).containsExactly(1, 4, 0, 2, 3);
        assertThat(out.get("ai").toLongArray()).containsExactly(3, 0, 2, 1, 4);
        assertThat(out.get("tv").toFloatArray()).containsExactly(0.9f, 0.9f, 0.5f);
        assertThat(out.get("ti").toLongArray()).containsExactly(1, 4, 0);
        assertThat(out.get("all").toLongArray()).containsExactly(1, 4, 0, 2, 3);
        assertThat(out.get("li").toLongArray()).containsExactly(3, 0);
    }

    @Test
    void randomnessIsAFunctionOfTheSeed() {
        Map<String, HostTensor> in = inputs("s", HostTensor.ofLongs(new long[] {42}, 1));
        HostTensor a = run1(in, (ops, t) -> ops.randomUniform(ops.constant(new long[] {1000}, 1), ops.reshape(t.get("s"))));
        HostTensor b = run1(in, (ops, t) -> ops.randomUniform(ops.constant(new long[] {1000}, 1), ops.reshape(t.get("s"))));
        HostTensor c = run1(inputs("s", HostTensor.ofLongs(new long[] {43}, 1)),
                (ops, t) -> ops.randomUniform(ops.constant(new long[] {1000}, 1), ops.reshape(t.get("s"))));
        assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
        assertThat(a.toFloatArray()).isNotEqualTo(c.toFloatArray());
        double mean = 0;
        for (float v : a.toFloatArray()) {
            assertThat(v).isBetween(0f, 1f).isLessThan(1f);
            mean += v / 1000.0;
        }
        assertThat(mean).isCloseTo(0.5, within(0.05));
        long[] perm = run1(in, (ops, t) -> ops.randomPermutation(ops.scalar(50, DType.INT64), ops.reshape(t.get("s")))).toLongArray();
        assertThat(perm).hasSize(50);
        assertThat(java.util.Arrays.stream(perm).sorted().toArray()).isEqualTo(java.util.stream.LongStream.range(0, 50).toArray());
    }

    @Test
    void parametersAreReadFromTheStore() {
        backend.parameters().declare("ops.p", HostTensor.ofFloats(f(1, 2), 2), true);
        backend.parameters().set("ops.p", HostTensor.ofFloats(f(3, 4), 2));
        assertThat(eval(ops -> ops.mul(ops.parameter("ops.p"), 2.0)).toFloatArray()).containsExactly(6, 8);
        assertThat(backend.parameters().get("ops.p").toFloatArray()).containsExactly(3, 4);
        assertThat(backend.parameters().trainable("ops.p")).isTrue();
        assertThat(backend.parameters().shape("ops.p")).isEqualTo(Shape.of(2));
    }

    private static double[] toD(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
