package org.maskrcnn4j.backend.tf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.maskrcnn4j.tensor.BackendException;
import org.maskrcnn4j.tensor.Shape;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Writes a {@link TensorFunction} as a TensorFlow SavedModel that TensorFlow Serving, Python
 * ({@code tf.saved_model.load}) and TensorFlow Java ({@code SavedModelBundle.load}) read without this
 * library: one meta graph tagged {@value #TAG} with one signature {@value #SIGNATURE}
 * ({@value #METHOD}).
 *
 * <p>The function is traced once into a fresh graph, with placeholders named as the inputs and an
 * {@code Identity} node named as each output, so the signature's tensors are {@code <name>:0}. Parameters
 * are frozen: the values they hold at export time become constants of the graph, so the SavedModel has no
 * variables to restore (its {@code variables/} folder is empty) and later changes to the backend's
 * parameters do not affect it. The folder is written next to its destination, loaded back once with
 * TensorFlow as a check, and only then moved into place, so a failed or interrupted export never leaves a
 * half-written model at the destination.
 */
public final class TfSavedModel {
    /** The meta graph's tag, {@code tf.saved_model.SERVING}. */
    public static final String TAG = "serve";
    /** The signature's key, {@code tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY}. */
    public static final String SIGNATURE = "serving_default";
    /** The signature's method, {@code tf.saved_model.PREDICT_METHOD_NAME}. */
    public static final String METHOD = "tensorflow/serving/predict";
    /** The name scope of the traced function's own nodes. */
    private static final String SCOPE = "maskrcnn4j";

    private TfSavedModel() {
    }

    /**
     * What an export wrote: the signature's key and its inputs and outputs with dtypes and shapes
     * ({@link Shape#UNKNOWN} where the size varies, such as the number of detections).
     */
    public record Signature(String key, List<TfTensorSpec> inputs, List<TfTensorSpec> outputs) {
        /** Copies the lists. */
        public Signature {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("signature '" + key + "'\n  inputs:\n");
            inputs.forEach(s -> b.append("    ").append(s).append('\n'));
            b.append("  outputs:\n");
            outputs.forEach(s -> b.append("    ").append(s).append('\n'));
            return b.toString();
        }
    }

    static Signature export(TfBackend backend, Path dir, TensorFunction fn, List<TfTensorSpec> inputs,
            boolean replace) throws IOException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("SavedModel export: the signature needs at least one input");
        }
        Path target = dir.toAbsolutePath().normalize();
        checkDestination(target, replace);
        byte[] savedModel;
        Signature signature;
        try (Graph graph = new Graph()) {
            signature = trace(backend, graph, fn, inputs);
            savedModel = savedModel(graph, signature).toByteArray();
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            try (OutputStream out = Files.newOutputStream(tmp.resolve("saved_model.pb"))) {
                out.write(savedModel);
            }
            Files.createDirectories(tmp.resolve("variables"));
            verify(tmp, signature);
            moveIntoPlace(tmp, target, replace);
        } finally {
            deleteRecursively(tmp);
        }
        return signature;
    }

    private static void checkDestination(Path target, boolean replace) throws IOException {
        if (target.getParent() == null) {
            throw new IllegalArgumentException("SavedModel export: cannot write to the root folder " + target);
        }
        if (Files.exists(target) && !replace && !isEmptyDirectory(target)) {
            throw new IllegalArgumentException("SavedModel export: " + target + " already exists and is not an empty "
                    + "folder; choose another destination or replace it explicitly");
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IllegalArgumentException("SavedModel export: " + target + " is a file, expected a folder");
        }
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    /** Traces {@code fn} into {@code graph} with frozen parameters; returns the signature it got. */
    private static Signature trace(TfBackend backend, Graph graph, TensorFunction fn, List<TfTensorSpec> inputs) {
        TfTrace trace = new TfTrace(backend, graph, SCOPE, false, false, name -> backend.parameters().get(name));
        TfOps ops = new TfOps(trace);
        Set<String> names = new HashSet<>();
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (TfTensorSpec spec : inputs) {
            if (!names.add(spec.name()) || spec.name().equals(SCOPE)) {
                throw new IllegalArgumentException("SavedModel export: input name '" + spec.name() + "' is used twice "
                        + "or reserved");
            }
            GraphOperation ph = TfTrace.build(graph.opBuilder("Placeholder", spec.name(), graph.baseScope())
                    .setAttr("dtype", TfTypes.dataType(spec.dtype())).setAttr("shape", TfTypes.tfShape(spec.shape())),
                    "Placeholder");
            in.put(spec.name(), new TfTensor(trace, ph.output(0), false));
        }
        Map<String, Tensor> result = fn.apply(ops, Collections.unmodifiableMap(in));
        if (result == null || result.isEmpty()) {
            throw new IllegalArgumentException("SavedModel export: the function returned no outputs");
        }
        List<TfTensorSpec> outputs = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : result.entrySet()) {
            String name = e.getKey();
            if (!names.add(name) || name.equals(SCOPE)) {
                throw new IllegalArgumentException("SavedModel export: output name '" + name + "' is already an input "
                        + "or output name, or reserved");
            }
            Output<?> value = ops.output(e.getValue());
            GraphOperation id = TfTrace.build(graph.opBuilder("Identity", name, graph.baseScope()).addInput(value),
                    "Identity");
            Output<?> o = id.output(0);
            long[] dims = o.shape().isUnknown() ? null : o.shape().asArray();
            Shape shape = dims == null ? e.getValue().shape() : Shape.of(dims);
            outputs.add(new TfTensorSpec(name, TfTypes.dtype(o.dataType()), shape));
        }
        trace.finish();
        return new Signature(SIGNATURE, inputs, outputs);
    }

    private static SavedModel savedModel(Graph graph, Signature signature) {
        SignatureDef.Builder sig = SignatureDef.newBuilder().setMethodName(METHOD);
        for (TfTensorSpec s : signature.inputs()) {
            sig.putInputs(s.name(), tensorInfo(s));
        }
        for (TfTensorSpec s : signature.outputs()) {
            sig.putOutputs(s.name(), tensorInfo(s));
        }
        MetaGraphDef meta = MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags(TAG)
                        .setTensorflowVersion(org.tensorflow.TensorFlow.version()))
                .setGraphDef(graph.toGraphDef())
                .putSignatureDef(signature.key(), sig.build())
                .build();
        return SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build();
    }

    private static TensorInfo tensorInfo(TfTensorSpec s) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : s.shape().dims()) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return TensorInfo.newBuilder().setName(s.name() + ":0").setDtype(TfTypes.dataType(s.dtype()))
                .setTensorShape(shape).build();
    }

    /** Loads the written folder with TensorFlow and checks that the signature resolves. */
    private static void verify(Path dir, Signature signature) {
        try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), TAG)) {
            org.tensorflow.Signature s = b.function(signature.key()).signature();
            List<String> want = signature.outputs().stream().map(TfTensorSpec::name).sorted().toList();
            if (!want.equals(s.outputNames().stream().sorted().toList())) {
                throw new BackendException("SavedModel export: TensorFlow reads back outputs " + s.outputNames()
                        + ", expected " + want);
            }
        } catch (RuntimeException e) {
            if (e instanceof BackendException) {
                throw e;
            }
            throw new BackendException("SavedModel export: TensorFlow cannot load the written model: " + e.getMessage(),
                    e);
        }
    }

    private static void moveIntoPlace(Path tmp, Path target, boolean replace) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            if (isEmptyDirectory(target)) {
                Files.delete(target);
            } else if (replace) {
                old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
                Files.delete(old);
                atomicMove(target, old);
            } else {
                throw new FileAlreadyExistsException(target.toString(), null, "SavedModel export: the destination "
                        + "appeared while exporting");
            }
        }
        try {
            atomicMove(tmp, target);
        } catch (IOException e) {
            if (old != null) {
                atomicMove(old, target);
            }
            throw e;
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    private static void atomicMove(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
