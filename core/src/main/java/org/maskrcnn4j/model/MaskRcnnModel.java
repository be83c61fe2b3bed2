package org.maskrcnn4j.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import org.maskrcnn4j.data.ImageTensors;
import org.maskrcnn4j.io.SafetensorsFile;
import org.maskrcnn4j.io.SafetensorsWriter;
import org.maskrcnn4j.io.StateDicts;
import org.maskrcnn4j.nn.BatchNorm2d;
import org.maskrcnn4j.nn.Module;
import org.maskrcnn4j.nn.Parameter;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Optimizer;
import org.maskrcnn4j.tensor.ParameterStore;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TrainStep;

/**
 * A {@link MaskRcnn} bound to a backend: its parameters declared in the backend's store, weights loaded
 * and saved by torchvision name, and plain-Java results. The model code runs through
 * {@link Backend#compile} (inference) and {@link Backend#trainStep} (training).
 */
public final class MaskRcnnModel {
    private final Backend backend;
    private final MaskRcnn model;
    private final Map<String, Shape> shapes = new LinkedHashMap<>();
    private final MaskRcnnConfig config;
    private CompiledFunction predictFn;
    private final Map<Integer, CompiledFunction> calibrationFns = new java.util.HashMap<>();

    /** Declares every parameter with PyTorch-style random initial values drawn from {@code seed}. */
    public MaskRcnnModel(Backend backend, MaskRcnn model, Predicate<Parameter> frozen, long seed) {
        this(backend, model, frozen, seed, null);
    }

    private MaskRcnnModel(Backend backend, MaskRcnn model, Predicate<Parameter> frozen, long seed, MaskRcnnConfig config) {
        this.backend = backend;
        this.model = model;
        this.config = config;
        SplittableRandom rng = new SplittableRandom(seed);
        ParameterStore store = backend.parameters();
        for (Parameter p : model.parameters()) {
            store.declare(p.name(), p.initialValue(rng), p.trainable() && !frozen.test(p));
            shapes.put(p.name(), p.shape());
        }
    }

    /** The default model of {@code config} on {@code backend}, randomly initialised from {@code seed}. */
    public static MaskRcnnModel create(Backend backend, MaskRcnnConfig config, long seed) {
        MaskRcnnFactory factory = new MaskRcnnFactory(config);
        return new MaskRcnnModel(backend, factory.build(), factory.frozen(), seed, config);
    }

    /** The configuration this model was built from by {@link #create}; empty for a model assembled by hand. */
    public Optional<MaskRcnnConfig> config() {
        return Optional.ofNullable(config);
    }

    public MaskRcnn model() {
        return model;
    }

    public Backend backend() {
        return backend;
    }

    /** Parameter and buffer shapes by torchvision name, in state_dict order. */
    public Map<String, Shape> shapes() {
        return java.util.Collections.unmodifiableMap(shapes);
    }

    /**
     * Loads weights by name; with {@code strict}, missing and unexpected names are errors; shapes must
     * always match. Every problem is reported at once, and nothing is changed when there is one.
     */
    public void loadWeights(Map<String, HostTensor> values, String source, boolean strict) {
        Map<String, Shape> available = new LinkedHashMap<>();
        values.forEach((name, v) -> available.put(name, v.shape()));
        loadWeights(available, values::get, source, strict);
    }

    /**
     * Loads weights from a source that reads one tensor at a time: {@code available} gives its names and
     * shapes, {@code read} a tensor's value. Names and shapes are checked as above before anything is
     * changed; then each tensor is read and set in turn, so a whole checkpoint never sits on the Java heap
     * (whose pages the native tensors cannot reuse). A read that fails part-way leaves the tensors before it
     * loaded.
     */
    public void loadWeights(Map<String, Shape> available, Function<String, HostTensor> read, String source,
            boolean strict) {
        Map<String, Shape> expected = shapes;
        if (!strict) {
            expected = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                if (available.containsKey(e.getKey())) {
                    expected.put(e.getKey(), e.getValue());
                }
            }
        }
        StateDicts.checkShapes(expected, available, source, strict);
        for (String name : expected.keySet()) {
            HostTensor v = read.apply(name);
            if (!v.shape().equals(available.get(name))) {
                throw new IllegalArgumentException("'" + name + "' from " + source + " was announced as "
                        + available.get(name) + " but read as " + v.shape());
            }
            DType want = backend.parameters().dtype(name);
            backend.parameters().set(name, v.dtype() == want ? v : convert(v, want));
        }
    }

    /** Loads a safetensors file by name (strict: every parameter present, nothing extra), a tensor at a time. */
    public void loadWeights(Path safetensors, boolean strict) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(safetensors)) {
            Map<String, Shape> available = new LinkedHashMap<>();
            for (String name : f.names()) {
                available.put(name, f.entry(name).shape());
            }
            loadWeights(available, f::get, safetensors.toString(), strict);
        }
    }

    /** Whether the backbone has batch norms that normalise with batch statistics in training. */
    public boolean usesBatchStatistics() {
        return model.backbone() instanceof Module m && anyBatchStatistics(m);
    }

    private static boolean anyBatchStatistics(Module m) {
        if (m instanceof BatchNorm2d bn && bn.usesBatchStatistics()) {
            return true;
        }
        return m.children().stream().anyMatch(MaskRcnnModel::anyBatchStatistics);
    }

    /**
     * Sets the running statistics of the batch norms that use batch statistics (detectron2's "precise BN"):
     * runs the backbone on each batch of images ({@code [3, h, w]} in 0..1), and sets every such layer's
     * {@code running_mean} and {@code running_var} to the mean over the batches of its input's batch mean and
     * unbiased batch variance. Inference then normalises with statistics of the trained weights instead of
     * a moving average over weights that changed. Does nothing when no batch norm uses batch statistics.
     */
    public void calibrateBatchNorm(List<List<HostTensor>> batches) {
        if (!usesBatchStatistics()) {
            return;
        }
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("batch-norm calibration needs at least one batch of images");
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (List<HostTensor> batch : batches) {
            int n = batch.size();
            CompiledFunction fn = calibrationFns.computeIfAbsent(n, k -> backend.compile((ops, in) -> {
                List<Tensor> images = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    images.add(in.get("image." + i));
                }
                return model.batchStatistics(ops, images);
            }));
            Map<String, HostTensor> in = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                in.put("image." + i, batch.get(i));
            }
            for (Map.Entry<String, HostTensor> e : fn.call(in).entrySet()) {
                double[] v = e.getValue().toDoubleArray();
                double[] sum = sums.computeIfAbsent(e.getKey(), k -> new double[v.length]);
                for (int c = 0; c < v.length; c++) {
                    sum[c] += v[c];
                }
            }
        }
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            double[] sum = e.getValue();
            float[] mean = new float[sum.length];
            for (int c = 0; c < sum.length; c++) {
                mean[c] = (float) (sum[c] / batches.size());
            }
            backend.parameters().set(e.getKey(), HostTensor.ofFloats(mean, sum.length));
        }
    }

    /** Writes every parameter and buffer to a safetensors file, atomically. */
    public void saveWeights(Path safetensors) throws IOException {
        SafetensorsWriter.write(safetensors, backend.parameters().snapshot(), Map.of("format", "pt"));
    }

    private static HostTensor convert(HostTensor v, DType to) {
        double[] d = v.toDoubleArray();
        long[] dims = v.shape().dims();
        return switch (to) {
            case FLOAT32 -> {
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                yield HostTensor.ofFloats(f, dims);
            }
            case INT64 -> HostTensor.ofLongs(v.toLongArray(), dims);
            case FLOAT64 -> HostTensor.ofDoubles(d, dims);
            default -> throw new IllegalArgumentException("cannot convert a " + v.dtype() + " weight to " + to);
        };
    }

    /** Detects objects in an image. */
    public List<Instance> predict(BufferedImage image) {
        return predict(ImageTensors.toFloats(image));
    }

    /** Detects objects in an image tensor {@code [3, h, w]} with values in 0..1. */
    public List<Instance> predict(HostTensor image) {
        if (image.shape().rank() != 3 || image.shape().get(0) != 3) {
            throw new IllegalArgumentException("image must be [3, h, w], got " + image.shape());
        }
        if (predictFn == null) {
            predictFn = backend.compile((ops, in) -> {
                Map<String, Tensor> r = model.detect(ops, List.of(in.get("image"))).get(0);
                Map<String, Tensor> out = new LinkedHashMap<>(r);
                if (r.containsKey("masks")) {
                    out.put("masks", ops.gt(r.get("masks"), 0.5));
                }
                return out;
            });
        }
        Map<String, HostTensor> r = predictFn.call(Map.of("image", image));
        return instances(r, (int) image.shape().get(1), (int) image.shape().get(2));
    }

    private static List<Instance> instances(Map<String, HostTensor> r, int height, int width) {
        float[] boxes = r.get("boxes").toFloatArray();
        float[] scores = r.get("scores").toFloatArray();
        long[] labels = r.get("labels").toLongArray();
        HostTensor probs = r.get("mask_probs");
        HostTensor masks = r.get("masks");
        int m = probs == null ? 0 : (int) probs.shape().get(1);
        float[] allProbs = probs == null ? null : probs.toFloatArray();
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            float[] box = {boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3]};
            float[] p = null;
            BinaryMask mask = null;
            if (probs != null) {
                p = java.util.Arrays.copyOfRange(allProbs, i * m * m, (i + 1) * m * m);
                BitSet bits = new BitSet(height * width);
                long base = (long) i * height * width;
                for (int k = 0; k < height * width; k++) {
                    if (masks.getLong(base + k) != 0) {
                        bits.set(k);
                    }
                }
                mask = new BinaryMask(height, width, bits);
            }
            out.add(new Instance((int) labels[i], scores[i], box, m, p, mask));
        }
        return out;
    }

    /**
     * Prepares an optimisation step over the model's losses: inputs {@code image.i} ({@code [3, h, w]} in
     * 0..1), {@code boxes.i}, {@code labels.i}, {@code masks.i} for {@code i < images}, and {@code seed}
     * (int64 {@code [1]}) for sampling.
     */
    public TrainStep trainStep(int images, Optimizer optimizer) {
        return backend.trainStep((ops, in) -> {
            List<Tensor> imgs = new ArrayList<>();
            List<Target> targets = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                imgs.add(in.get("image." + i));
                targets.add(new Target(in.get("boxes." + i), in.get("labels." + i), in.get("masks." + i)));
            }
            Map<String, Tensor> losses = new LinkedHashMap<>(model.losses(ops, imgs, targets,
                    Mode.training(ops.reshape(in.get("seed")))));
            losses.remove("loss");
            return losses;
        }, optimizer);
    }
}
