package org.maskrcnn4j.backend.tf;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.maskrcnn4j.tensor.CompiledFunction;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.TensorFunction;
import org.tensorflow.Output;

/**
 * A compiled function (or, with {@code wrt}, a gradient function): traced once per input signature into
 * the backend's graph, then one session run per call.
 */
final class TfFunction implements CompiledFunction {
    private final TfBackend backend;
    private final TensorFunction fn;
    private final List<String> wrt;
    private final Map<List<TfBackend.InputSpec>, TfBackend.Traced> traces = new ConcurrentHashMap<>();

    TfFunction(TfBackend backend, TensorFunction fn, List<String> wrt) {
        this.backend = backend;
        this.fn = fn;
        this.wrt = wrt;
    }

    @Override
    public Map<String, HostTensor> call(Map<String, HostTensor> inputs) {
        TfBackend.Traced t = backend.traced(traces, inputs, this::trace);
        try {
            return backend.run(t, inputs, Map.of());
        } catch (RuntimeException e) {
            throw backend.diagnose(fn, inputs, e);
        }
    }

    private TfBackend.Traced trace(List<TfBackend.InputSpec> signature) {
        if (wrt != null) {
            for (String name : wrt) {
                TfBackend.InputSpec spec = signature.stream().filter(s -> s.name().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("gradient: no input named '" + name
                                + "' among " + signature.stream().map(TfBackend.InputSpec::name).toList()));
                if (!spec.dtype().isFloating()) {
                    throw new IllegalArgumentException("gradient: input '" + name + "' is " + spec.dtype()
                            + ", only floating inputs can be differentiated");
                }
            }
        }
        TfBackend.Body body = backend.traceBody(wrt == null ? "fn" : "grad", fn, signature, wrt != null);
        TfBackend.Traced t = new TfBackend.Traced();
        t.placeholders.putAll(body.placeholders());
        for (Map.Entry<String, TfTensor> e : body.outputs().entrySet()) {
            t.addOutput(e.getKey(), body.ops().output(e.getValue()));
        }
        if (wrt != null) {
            TfTensor value = body.outputs().get("value");
            if (value == null && body.outputs().size() == 1) {
                value = body.outputs().values().iterator().next();
            }
            if (value == null) {
                throw new IllegalArgumentException("gradient: the function must return its scalar as 'value', got "
                        + body.outputs().keySet());
            }
            if (value.rank() != 0 || !value.dtype().isFloating()) {
                throw new IllegalArgumentException("gradient: 'value' must be a floating scalar, got "
                        + value.dtype() + " " + value.shape());
            }
            Output<?>[] xs = new Output<?>[wrt.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = body.placeholders().get(wrt.get(i));
            }
            Output<?>[] dy = backend.gradients(body.trace(), new Output<?>[] {body.ops().output(value)}, xs);
            for (int i = 0; i < xs.length; i++) {
                Output<?> g = dy[i] != null ? dy[i] : body.ops().zerosLike(xs[i]);
                t.addOutput("grad/" + wrt.get(i), g);
            }
        }
        body.trace().finish();
        return t;
    }
}
