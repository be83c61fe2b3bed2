package org.maskrcnn4j.backend.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * RoIAlign as a sparse matrix product: {@code out[K*outH*outW, C] = A * F[N*H*W, C]} where {@code F} is the
 * contiguous channels-last feature matrix and {@code A} (COO) holds, per output cell, the bilinear weights of
 * the feature cells its samples touch divided by the sample count. PyTorch differentiates the product with
 * respect to the features.
 *
 * <p>{@code A} is built in Java from the boxes with torchvision's CPU sampling rules: sample positions in the
 * features' precision (float arithmetic for float32, exactly as the kernel), adaptive grid
 * {@code ceil(roi / out)}, samples outside {@code [-1, size]} dropped, negative positions clamped to 0 and the
 * last cell repeated at the far border. Bilinear weights factor into a row weight times a column weight, and
 * so does the validity of a sample, so each bin's weights are the outer product of two short 1-D lists,
 * accumulated in double (merging samples that share a cell) and rounded to the features' dtype once.
 */
final class DjlRoiAlign {
    /** Work below this many multiply-adds (nnz * channels) runs on the calling thread. */
    private static final long PARALLEL_MIN_WORK = 1L << 21;
    private static final int CHUNK = 8192;

    private DjlRoiAlign() {
    }

    /** Cells and weights of every (RoI, bin) along one axis: bin {@code b} of RoI {@code r} is index r*bins+b. */
    static final class Axis {
        final int bins;
        final int[] off;
        int[] cell = new int[256];
        double[] weight = new double[256];
        int size;

        Axis(int rois, int bins) {
            this.bins = bins;
            this.off = new int[rois * bins + 1];
        }

        void add(int c, double w) {
            if (size == cell.length) {
                cell = Arrays.copyOf(cell, size * 2);
                weight = Arrays.copyOf(weight, size * 2);
            }
            cell[size] = c;
            weight[size] = w;
            size++;
        }

        /** Number of entries of RoI {@code r} over all its bins. */
        int total(int r) {
            return off[(r + 1) * bins] - off[r * bins];
        }
    }

    /** The sparse matrix, described by its 1-D factors; entries are generated on demand. */
    static final class Plan {
        final int k;
        final int outH;
        final int outW;
        final int width;
        final long hw;
        final long cols;
        final long[] colBase;
        final double[] count;
        final Axis ys;
        final Axis xs;
        /** Entries of each RoI. */
        final long[] roiNnz;
        /** Sort key of each RoI: batch index, then the Morton code of its centre cell. */
        final long[] key;
        /** Processing position -> RoI (a permutation; each block's range holds that block's RoIs). */
        final int[] order;
        /** Prefix sums of the entries in processing order ({@code k + 1} values). */
        final long[] roiOffset;

        Plan(int k, int outH, int outW, int width, long hw, long cols) {
            this.k = k;
            this.outH = outH;
            this.outW = outW;
            this.width = width;
            this.hw = hw;
            this.cols = cols;
            this.colBase = new long[k];
            this.count = new double[k];
            this.ys = new Axis(k, outH);
            this.xs = new Axis(k, outW);
            this.roiNnz = new long[k];
            this.key = new long[k];
            this.order = new int[k];
            this.roiOffset = new long[k + 1];
        }

        /**
         * Orders the RoIs of each block {@code [bounds[i], bounds[i+1])} by location, so that RoIs that touch
         * the same feature cells are processed one after the other (the product is memory-bound: this keeps
         * the shared feature rows in cache), and sums the entries in that order.
         */
        void arrange(int[] bounds) {
            for (int b = 0; b + 1 < bounds.length; b++) {
                Integer[] block = new Integer[bounds[b + 1] - bounds[b]];
                for (int i = 0; i < block.length; i++) {
                    block[i] = bounds[b] + i;
                }
                Arrays.sort(block, (x, y) -> key[x] != key[y] ? Long.compare(key[x], key[y]) : Integer.compare(x, y));
                for (int i = 0; i < block.length; i++) {
                    order[bounds[b] + i] = block[i];
                }
            }
            for (int i = 0; i < k; i++) {
                roiOffset[i + 1] = roiOffset[i] + roiNnz[order[i]];
            }
        }

        /** Entries of the RoIs with index in {@code [from, to)} (any order). */
        long entries(int from, int to) {
            long n = 0;
            for (int r = from; r < to; r++) {
                n += roiNnz[r];
            }
            return n;
        }

        long nnz() {
            return roiOffset[k];
        }

        long rows() {
            return (long) k * outH * outW;
        }
    }

    /**
     * Computes the 1-D weight lists of every RoI ({@code rois} row-major {@code [K, 5]}) over features of
     * shape {@code [n, ?, height, width]}.
     */
    static Plan plan(double[] rois, int k, int n, int height, int width, int outH, int outW, double spatialScale,
            int samplingRatio, boolean aligned, boolean float32) {
        long hw = (long) height * width;
        Plan p = new Plan(k, outH, outW, width, hw, n * hw);
        double[] scratchY = new double[height];
        double[] scratchX = new double[width];
        for (int r = 0; r < k; r++) {
            double bRaw = rois[r * 5];
            if (!(bRaw >= 0) || bRaw >= n) {
                throw new IllegalArgumentException("roiAlign: roi " + r + " has batch index " + bRaw
                        + " outside [0, " + n + ")");
            }
            p.colBase[r] = (long) bRaw * hw;
            double[] ys;
            double[] xs;
            int gridH;
            int gridW;
            if (float32) {
                // torchvision's kernel for float32 inputs: every step in float
                float scale = (float) spatialScale;
                float offset = aligned ? 0.5f : 0f;
                float sw = (float) rois[r * 5 + 1] * scale - offset;
                float sh = (float) rois[r * 5 + 2] * scale - offset;
                float ew = (float) rois[r * 5 + 3] * scale - offset;
                float eh = (float) rois[r * 5 + 4] * scale - offset;
                float roiW = ew - sw;
                float roiH = eh - sh;
                if (!aligned) {
                    roiW = Math.max(roiW, 1f);
                    roiH = Math.max(roiH, 1f);
                }
                float binH = roiH / outH;
                float binW = roiW / outW;
                gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiH / outH);
                gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiW / outW);
                gridH = Math.max(gridH, 0);
                gridW = Math.max(gridW, 0);
                ys = new double[outH * gridH];
                xs = new double[outW * gridW];
                for (int ph = 0; ph < outH; ph++) {
                    for (int iy = 0; iy < gridH; iy++) {
                        ys[ph * gridH + iy] = sh + ph * binH + (iy + .5f) * binH / gridH;
                    }
                }
                for (int pw = 0; pw < outW; pw++) {
                    for (int ix = 0; ix < gridW; ix++) {
                        xs[pw * gridW + ix] = sw + pw * binW + (ix + .5f) * binW / gridW;
                    }
                }
            } else {
                double offset = aligned ? 0.5 : 0;
                double sw = rois[r * 5 + 1] * spatialScale - offset;
                double sh = rois[r * 5 + 2] * spatialScale - offset;
                double ew = rois[r * 5 + 3] * spatialScale - offset;
                double eh = rois[r * 5 + 4] * spatialScale - offset;
                double roiW = ew - sw;
                double roiH = eh - sh;
                if (!aligned) {
                    roiW = Math.max(roiW, 1);
                    roiH = Math.max(roiH, 1);
                }
                double binH = roiH / outH;
                double binW = roiW / outW;
                gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiH / outH);
                gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(roiW / outW);
                gridH = Math.max(gridH, 0);
                gridW = Math.max(gridW, 0);
                ys = new double[outH * gridH];
                xs = new double[outW * gridW];
                for (int ph = 0; ph < outH; ph++) {
                    for (int iy = 0; iy < gridH; iy++) {
                        ys[ph * gridH + iy] = sh + ph * binH + (iy + .5) * binH / gridH;
                    }
                }
                for (int pw = 0; pw < outW; pw++) {
                    for (int ix = 0; ix < gridW; ix++) {
                        xs[pw * gridW + ix] = sw + pw * binW + (ix + .5) * binW / gridW;
                    }
                }
            }
            // a zero-size grid (aligned, empty RoI, adaptive) has no samples: output 0, count 1
            p.count[r] = Math.max(gridH * gridW, 1);
            appendBins(p.ys, r, ys, gridH, height, scratchY);
            appendBins(p.xs, r, xs, gridW, width, scratchX);
            p.roiNnz[r] = (long) p.ys.total(r) * p.xs.total(r);
            // centre cell (clamped to the map) for the processing order
            int cy = (int) Math.max(0, Math.min(height - 1, (rois[r * 5 + 2] + rois[r * 5 + 4]) * 0.5 * spatialScale));
            int cx = (int) Math.max(0, Math.min(width - 1, (rois[r * 5 + 1] + rois[r * 5 + 3]) * 0.5 * spatialScale));
            p.key[r] = ((long) bRaw << 40) | morton(cy, cx);
        }
        return p;
    }

    /** Interleaves the low 20 bits of {@code y} and {@code x} (Z-order). */
    static long morton(int y, int x) {
        long code = 0;
        for (int i = 0; i < 20; i++) {
            code |= ((long) ((x >> i) & 1) << (2 * i)) | ((long) ((y >> i) & 1) << (2 * i + 1));
        }
        return code;
    }

    /**
     * Appends, for each bin of RoI {@code r}, the cells (ascending) with their summed 1-D bilinear weights
     * of the bin's {@code grid} samples {@code pos[bin*grid ..]}. Sample values are exact float32 values when
     * the features are float32, so the comparisons and the floor reproduce torchvision's float arithmetic;
     * the weights ({@code 1 - l} and {@code l}, {@code l = pos - low} exact) are summed in double.
     */
    private static void appendBins(Axis axis, int r, double[] pos, int grid, int size, double[] scratch) {
        for (int b = 0; b < axis.bins; b++) {
            int first = Integer.MAX_VALUE;
            int last = -1;
            for (int i = b * grid; i < (b + 1) * grid; i++) {
                double v = pos[i];
                if (v < -1.0 || v > size) {
                    continue; // outside: the sample contributes 0
                }
                if (v <= 0) {
                    v = 0;
                }
                int low = (int) v;
                int high;
                if (low >= size - 1) {
                    high = low = size - 1;
                    v = low;
                } else {
                    high = low + 1;
                }
                double l = v - low;
                scratch[low] += 1.0 - l;
                scratch[high] += l;
                first = Math.min(first, low);
                last = Math.max(last, high);
            }
            for (int c = first; c <= last; c++) {
                if (scratch[c] != 0) {
                    axis.add(c, scratch[c]);
                    scratch[c] = 0;
                }
            }
            axis.off[r * axis.bins + b + 1] = axis.size;
        }
    }

    /**
     * Writes the entries of the RoIs at processing positions {@code [from, to)} (per row, columns ascending)
     * at buffer positions {@code roiOffset[from] - base ..}; row numbers are shifted down by {@code rowShift}.
     */
    static void fill(Plan p, int from, int to, long base, long rowShift, LongBuffer rows, LongBuffer cols,
            FloatBuffer f32, DoubleBuffer f64) {
        long[] rc = new long[CHUNK];
        long[] cc = new long[CHUNK];
        float[] fv = f32 != null ? new float[CHUNK] : null;
        double[] dv = f64 != null ? new double[CHUNK] : null;
        int n = 0;
        int at = Math.toIntExact(p.roiOffset[from] - base);
        Axis ys = p.ys;
        Axis xs = p.xs;
        for (int pos = from; pos < to; pos++) {
            int r = p.order[pos];
            long rowBase = (long) r * p.outH * p.outW - rowShift;
            long colBase = p.colBase[r];
            double count = p.count[r];
            for (int ph = 0; ph < p.outH; ph++) {
                int y0 = ys.off[r * p.outH + ph];
                int y1 = ys.off[r * p.outH + ph + 1];
                for (int pw = 0; pw < p.outW; pw++) {
                    int x0 = xs.off[r * p.outW + pw];
                    int x1 = xs.off[r * p.outW + pw + 1];
                    long row = rowBase + (long) ph * p.outW + pw;
                    for (int iy = y0; iy < y1; iy++) {
                        long rowCol = colBase + (long) ys.cell[iy] * p.width;
                        double a = ys.weight[iy];
                        for (int ix = x0; ix < x1; ix++) {
                            if (n == CHUNK) {
                                flush(rows, cols, f32, f64, at, rc, cc, fv, dv, n);
                                at += n;
                                n = 0;
                            }
                            rc[n] = row;
                            cc[n] = rowCol + xs.cell[ix];
                            double v = a * xs.weight[ix] / count;
                            if (fv != null) {
                                fv[n] = (float) v;
                            } else {
                                dv[n] = v;
                            }
                            n++;
                        }
                    }
                }
            }
        }
        flush(rows, cols, f32, f64, at, rc, cc, fv, dv, n);
    }

    private static void flush(LongBuffer rows, LongBuffer cols, FloatBuffer f32, DoubleBuffer f64, int at,
            long[] rc, long[] cc, float[] fv, double[] dv, int n) {
        if (n == 0) {
            return;
        }
        rows.put(at, rc, 0, n);
        cols.put(at, cc, 0, n);
        if (f32 != null) {
            f32.put(at, fv, 0, n);
        } else {
            f64.put(at, dv, 0, n);
        }
    }

    /** The sparse matrix of RoIs {@code [from, to)} (rows renumbered from 0) as a PyTorch COO tensor. */
    private static PtNDArray sparse(NDManager scope, Plan p, int from, int to, DataType dt) {
        long base = p.roiOffset[from];
        long nnz = p.roiOffset[to] - base;
        if (nnz * 16 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("roiAlign: " + nnz + " sampling weights exceed the 2 GiB buffer limit;"
                    + " split the boxes into smaller batches");
        }
        PtNDArray indices = DjlTypes.empty(scope, DataType.INT64, 2, nnz);
        PtNDArray values = DjlTypes.empty(scope, dt, nnz);
        if (nnz > 0) {
            ByteBuffer ib = DjlTypes.view(indices);
            LongBuffer all = ib.asLongBuffer();
            LongBuffer rowsBuf = all.slice(0, (int) nnz);
            LongBuffer colsBuf = all.slice((int) nnz, (int) nnz);
            ByteBuffer vb = DjlTypes.view(values);
            fill(p, from, to, base, (long) from * p.outH * p.outW, rowsBuf, colsBuf,
                    dt == DataType.FLOAT32 ? vb.asFloatBuffer() : null,
                    dt == DataType.FLOAT64 ? vb.asDoubleBuffer() : null);
        }
        long rows = (long) (to - from) * p.outH * p.outW;
        return JniUtils.createSparseCoo(indices, values, DjlTypes.djlShape(rows, p.cols));
    }

    /**
     * The contiguous channels-last feature matrix {@code [N*H*W, C]} of NCHW features. For N = 1 the reshape
     * of the permuted view alone would give a column-major view, which the sparse product reads about 3x
     * slower, hence the explicit copy.
     */
    static PtNDArray channelsLast(PtNDArray features) {
        long[] fs = features.getShape().getShape();
        return DjlOps.contiguous(JniUtils.reshape(JniUtils.permute(features, new long[] {0, 2, 3, 1}),
                new long[] {fs[0] * fs[2] * fs[3], fs[1]}));
    }

    /** {@code [K*oh*ow, C]} -> {@code [K, C, oh, ow]}, contiguous. */
    private static PtNDArray toNchw(PtNDArray prod, int k, int outH, int outW, long c) {
        PtNDArray out = JniUtils.permute(JniUtils.reshape(prod, new long[] {k, outH, outW, c}),
                new long[] {0, 3, 1, 2});
        return DjlOps.contiguous(out);
    }

    /**
     * Runs RoIAlign: returns {@code [K, C, outH, outW]} (contiguous) in {@code scope}. Differentiable with
     * respect to {@code features}. Without autograd and with a pool, the product runs in row blocks in
     * parallel (PyTorch's sparse-dense product is single-threaded).
     */
    static PtNDArray apply(NDManager scope, PtNDArray features, PtNDArray rois, int outH, int outW,
            double spatialScale, int samplingRatio, boolean aligned, ExecutorService pool, int threads,
            java.util.function.UnaryOperator<PtNDArray> channelsLast) {
        long[] fs = features.getShape().getShape();
        long[] rs = rois.getShape().getShape();
        if (fs.length != 4) {
            throw new IllegalArgumentException("roiAlign: features must be NCHW (rank 4), got shape "
                    + Arrays.toString(fs));
        }
        if (rs.length != 2 || rs[1] != 5) {
            throw new IllegalArgumentException("roiAlign: rois must be [K, 5] (batch index, x1, y1, x2, y2), got shape "
                    + Arrays.toString(rs));
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("roiAlign: output size must be positive, got " + outH + "x" + outW);
        }
        DataType dt = features.getDataType();
        if (dt != DataType.FLOAT32 && dt != DataType.FLOAT64) {
            throw new IllegalArgumentException("roiAlign: features must be float32 or float64, got " + dt);
        }
        int n = Math.toIntExact(fs[0]);
        long c = fs[1];
        int h = Math.toIntExact(fs[2]);
        int w = Math.toIntExact(fs[3]);
        int k = Math.toIntExact(rs[0]);
        Plan plan = plan(DjlTypes.readDoubles(rois), k, n, h, w, outH, outW, spatialScale, samplingRatio, aligned,
                dt == DataType.FLOAT32);

        PtNDArray f = channelsLast.apply(features);

        long total = plan.entries(0, k);
        int parts = 1;
        if (pool != null && threads > 1 && !JniUtils.isGradMode() && k > 1) {
            parts = (int) Math.min(Math.min(threads, k), Math.max(1, total * c / PARALLEL_MIN_WORK));
        }
        // blocks of consecutive RoIs (consecutive output rows) with about equal work
        int[] bounds = new int[parts + 1];
        long acc = 0;
        for (int i = 1, r = 0; i < parts; i++) {
            long target = total * i / parts;
            while (r < k && acc < target) {
                acc += plan.roiNnz[r++];
            }
            bounds[i] = Math.max(r, bounds[i - 1]);
        }
        bounds[parts] = k;
        plan.arrange(bounds);
        if (parts <= 1) {
            return toNchw(JniUtils.matmul(sparse(scope, plan, 0, k, dt), f), k, outH, outW, c);
        }
        List<Future<PtNDArray>> futures = new ArrayList<>(parts);
        PtNDArray[] pieces = new PtNDArray[parts];
        for (int i = 1; i < parts; i++) {
            int from = bounds[i];
            int to = bounds[i + 1];
            futures.add(pool.submit(() -> {
                JniUtils.setGradMode(false);
                return toNchw(JniUtils.matmul(sparse(scope, plan, from, to, dt), f), to - from, outH, outW, c);
            }));
        }
        RuntimeException failure = null;
        try {
            pieces[0] = toNchw(JniUtils.matmul(sparse(scope, plan, 0, bounds[1], dt), f), bounds[1], outH, outW, c);
        } catch (RuntimeException e) {
            failure = e;
        }
        // wait for every block before returning or failing, so that none still writes into the scope
        for (int i = 1; i < parts; i++) {
            try {
                pieces[i] = futures.get(i - 1).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : new IllegalStateException("roiAlign interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (failure == null) {
                    failure = cause instanceof RuntimeException re ? re : new IllegalStateException("roiAlign failed", cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return JniUtils.cat(pieces, 0);
    }
}
