/**
 * The TensorFlow Java backend (graph mode). Contract:
 *
 * <ul>
 *   <li>One {@code Graph} and one {@code Session} per {@link org.maskrcnn4j.backend.tf.TfBackend}.
 *       Parameters are resource variables in that graph ({@link org.maskrcnn4j.backend.tf.TfParameterStore});
 *       host values cross only through fetches and assigns from placeholders.</li>
 *   <li>A {@link org.maskrcnn4j.tensor.TensorFunction} is traced once per input signature (names, dtypes,
 *       ranks; every dimension an unknown {@code -1} placeholder dimension) into its own name scope of that
 *       graph and run by the session on each call. A function whose model code needs static sizes (it throws
 *       while tracing with unknown dimensions, e.g. the transform, which computes resize targets from the
 *       image size) is traced instead with the call's static shapes, and once more with the dimensions that
 *       vary between calls left unknown (the number of ground-truth boxes per training image), so that a
 *       training run traces its step a few times rather than once per combination of box counts. Gradients come
 *       from {@code Graph.addGradients}; the optimizer update of a train step (SGD or AdamW, with its state in
 *       resource variables of the step) is built into the graph and runs in the same session call.</li>
 *   <li>Model code sees NCHW; 4-D activations produced by convolutions, pooling, resizes and RoIAlign are
 *       kept NHWC inside ({@code TfTensor}'s layout tag) and permuted back only when an op needs the logical
 *       layout.</li>
 *   <li>Exactness: the data-dependent ops reproduce torchvision, not TensorFlow's own conventions: NMS is
 *       {@code NonMaxSuppressionV5} with the threshold rounded so that its float32 {@code iou > t} equals
 *       torchvision's; top-k and sorts are {@code TopKV2} (ties in index order); RoIAlign is a sparse sampling
 *       matrix built in the graph with torchvision's formulas times the features; the resizes are gathers with
 *       PyTorch's source indices. Ops without a C++ gradient sit behind {@code StopGradient}, or get one from
 *       {@link org.maskrcnn4j.backend.tf.TfGradients}.</li>
 *   <li>Export: {@link org.maskrcnn4j.backend.tf.TfBackend#exportSavedModel} traces a function once more, into
 *       a fresh graph with its parameters frozen as constants, and writes it as a SavedModel
 *       ({@link org.maskrcnn4j.backend.tf.TfSavedModel}) that plain TensorFlow loads without this library.</li>
 * </ul>
 */
package org.maskrcnn4j.backend.tf;
