package org.maskrcnn4j.backend.tf;

import java.util.regex.Pattern;
import org.maskrcnn4j.tensor.DType;
import org.maskrcnn4j.tensor.Shape;

/**
 * A named tensor of an exported SavedModel signature: its name (also the graph node's name), dtype and
 * shape, where {@link Shape#UNKNOWN} marks a dimension that varies from call to call.
 *
 * @param name a TensorFlow node name: letters, digits, {@code _ . -}, not starting with {@code _ -}
 * @param dtype the element type
 * @param shape the shape; inputs should be static where the function needs static sizes
 */
public record TfTensorSpec(String name, DType dtype, Shape shape) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

    /** Checks the name against TensorFlow's node-name rule. */
    public TfTensorSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("signature tensor name '" + name + "' is not a valid TensorFlow node "
                    + "name: use letters, digits, '_', '.' or '-', starting with a letter, digit or '.'");
        }
        if (dtype == null || shape == null) {
            throw new IllegalArgumentException("signature tensor '" + name + "' needs a dtype and a shape");
        }
    }

    @Override
    public String toString() {
        return name + ": " + dtype + " " + shape;
    }
}
