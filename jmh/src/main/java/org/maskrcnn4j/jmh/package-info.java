/**
 * JMH benchmarks of the ops that dominate Mask R-CNN's time (RoIAlign, NMS, convolution), each run on every
 * backend through the SPI: the {@code backend} parameter names a {@link org.maskrcnn4j.tensor.BackendProvider}.
 * They time a backend's compiled call, host tensors in and out, on the inputs {@code maskrcnn bench} uses;
 * they track op-level regressions, while {@code maskrcnn bench --compare} compares with torchvision.
 */
package org.maskrcnn4j.jmh;
