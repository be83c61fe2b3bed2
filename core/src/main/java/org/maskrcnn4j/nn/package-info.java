/**
 * Neural-network building blocks written against the tensor SPI: {@link org.maskrcnn4j.nn.Module} trees
 * whose {@link org.maskrcnn4j.nn.Parameter}s carry torchvision state_dict names, and the layers Mask R-CNN
 * needs ({@link org.maskrcnn4j.nn.Conv2d}, {@link org.maskrcnn4j.nn.ConvTranspose2d},
 * {@link org.maskrcnn4j.nn.Linear}, {@link org.maskrcnn4j.nn.BatchNorm2d},
 * {@link org.maskrcnn4j.nn.FrozenBatchNorm2d}, {@link org.maskrcnn4j.nn.ReLU},
 * {@link org.maskrcnn4j.nn.MaxPool2d}, {@link org.maskrcnn4j.nn.Sequential}).
 *
 * <p>Contract: a module is immutable once constructed. Every module receives its full name prefix at
 * construction (e.g. {@code backbone.body}) and composes child and parameter names with dots exactly as
 * torchvision does, so {@link org.maskrcnn4j.nn.Module#parameters()} lists the keys of torchvision's
 * {@code state_dict()} in the same order. Modules hold no values: {@link org.maskrcnn4j.nn.Module#declare}
 * declares every parameter and buffer in a backend's {@link org.maskrcnn4j.tensor.ParameterStore} with an
 * initial value drawn from an injected, seeded {@link java.util.random.RandomGenerator}, and a forward pass
 * reads the current values with {@link org.maskrcnn4j.tensor.Ops#parameter} at call time, so the same
 * module runs eagerly and traced. Initialisers follow PyTorch's defaults (see {@link org.maskrcnn4j.nn.Init}).
 */
package org.maskrcnn4j.nn;
