package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.nn.Parameter;

/**
 * A model part that owns parameters, listed in torchvision's state_dict order. Parts built on
 * {@link org.maskrcnn4j.nn.Module} get this for free from {@code Module.parameters()}.
 */
public interface HasParameters {
    List<Parameter> parameters();
}
