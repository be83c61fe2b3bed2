package org.maskrcnn4j.model;

import java.util.List;
import org.maskrcnn4j.tensor.Tensor;

/**
 * Named feature maps of a backbone, finest first, as torchvision's {@code OrderedDict} of FPN outputs
 * ({@code "0", "1", "2", "3", "pool"}); each NCHW.
 */
public record FeatureMaps(List<String> names, List<Tensor> maps) {
    public FeatureMaps {
        names = List.copyOf(names);
        maps = List.copyOf(maps);
        if (names.size() != maps.size()) {
            throw new IllegalArgumentException(names.size() + " names for " + maps.size() + " feature maps");
        }
    }

    /** The map called {@code name}. */
    public Tensor get(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no feature map '" + name + "'; have " + names);
        }
        return maps.get(i);
    }

    /** The maps called {@code selected}, in that order. */
    public List<Tensor> select(List<String> selected) {
        return selected.stream().map(this::get).toList();
    }
}
