package org.maskrcnn4j.backend.tf;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Output;

/**
 * The state of one tracing of a function into the backend's graph: its name scope, the parameter reads it
 * made (one read per parameter, so gradients and updates refer to a single value) and small caches.
 */
final class TfTrace {
    final TfBackend backend;
    final Graph graph;
    final String scope;
    private int counter;
    private boolean finished;
    /** Parameter name to its read in this trace, in first-use order. */
    final Map<String, Output<?>> parameterReads = new LinkedHashMap<>();
    final Map<Object, Output<?>> cache = new HashMap<>();
    /** NMS results of this trace (by identity) and their inputs, see {@link TfOps#slice}. */
    final Map<Output<?>, TfOps.NmsSpec> nmsResults = new java.util.IdentityHashMap<>();

    /**
     * True for a diagnostic trace: a throwaway graph whose placeholders carry a failed call's static shapes,
     * built only so that the ops' static checks name the op and shapes that failed at run time.
     */
    final boolean diagnostic;

    /**
     * True when gradients will be taken through this trace (a train step's or a gradient function's), so ops
     * may choose forms whose gradients TfGradients defines (see {@link TfOps#conv2d}); false for forward-only
     * traces, whose plain forms TensorFlow's graph optimizer fuses.
     */
    final boolean differentiated;

    /**
     * For an export trace: the current value of each parameter, which the trace embeds as a constant
     * (a frozen graph that needs no variables); null for traces into the backend's own graph.
     */
    final java.util.function.Function<String, org.maskrcnn4j.tensor.HostTensor> frozenParameters;

    /** A forward-only trace into {@code graph}. */
    TfTrace(TfBackend backend, Graph graph, String scope, boolean diagnostic) {
        this(backend, graph, scope, diagnostic, false, null);
    }

    TfTrace(TfBackend backend, Graph graph, String scope, boolean diagnostic, boolean differentiated,
            java.util.function.Function<String, org.maskrcnn4j.tensor.HostTensor> frozenParameters) {
        this.backend = backend;
        this.graph = graph;
        this.scope = scope;
        this.diagnostic = diagnostic;
        this.differentiated = differentiated;
        this.frozenParameters = frozenParameters;
    }

    /** A unique op name in this trace's scope. */
    String name(String type) {
        return scope + "/" + type + "_" + counter++;
    }

    /** Starts an op of {@code type} in this trace. */
    GraphOperationBuilder op(String type) {
        checkOpen();
        return graph.opBuilder(type, name(type), graph.baseScope());
    }

    /** Builds, turning TensorFlow's shape/type errors into messages naming the op. */
    static GraphOperation build(GraphOperationBuilder b, String type) {
        try {
            return b.build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("tensorflow backend: " + type + ": " + e.getMessage(), e);
        }
    }

    void checkOpen() {
        if (finished) {
            throw new IllegalStateException("tensorflow backend: this trace is finished; a tensor or Ops kept "
                    + "from an earlier call cannot be used again");
        }
    }

    void finish() {
        finished = true;
    }
}
