package org.maskrcnn4j.tck;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.maskrcnn4j.tensor.Backend;
import org.maskrcnn4j.tensor.HostTensor;
import org.maskrcnn4j.tensor.Tensor;
import org.maskrcnn4j.tensor.TensorFunction;

/**
 * Skeletal base of the conformance kit: one backend instance per test class, created by the subclass in
 * a backend module, and helpers to run a function once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendTestBase {
    protected Backend backend;

    /** Creates the backend under test; called once per test class. */
    protected abstract Backend createBackend();

    @BeforeAll
    void openBackend() {
        backend = createBackend();
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    /** Runs a one-output function once and returns the output. */
    protected HostTensor run1(Map<String, HostTensor> inputs, java.util.function.BiFunction<org.maskrcnn4j.tensor.Ops, Map<String, Tensor>, Tensor> fn) {
        TensorFunction f = (ops, in) -> Map.of("out", fn.apply(ops, in));
        return backend.compile(f).call(inputs).get("out");
    }

    /** Input map helper preserving order. */
    protected static Map<String, HostTensor> inputs(Object... nameValue) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], (HostTensor) nameValue[i + 1]);
        }
        return m;
    }
}
