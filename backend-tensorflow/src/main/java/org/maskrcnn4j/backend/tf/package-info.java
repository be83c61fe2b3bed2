/**
 * The TensorFlow Java backend (graph mode). Contract:
 *
 * <ul>
 *   <li>One {@code Graph} and one {@code Session} per {@link org.maskrcnn4j.backend.tf.TfBackend}.
 *       Parameters are resource variables in that graph ({@link org.maskrcnn4j.backend.tf.TfParameterStore});
 *       host values cross only through fetches and assigns from placeholders.</li>
 *   <li>A {@link org.maskrcnn4j.tensor.TensorFunction} is traced once per input signature (names, dtypes,
 *       ranks; every dimension an unknown {@code -1} placeholder dimension) into its own name scope of that
 *       graph and run by the session on each call. Gradients come from {@code Graph.addGradients}; the SGD
 *       update of a train step is built into the graph and runs in the same session call.</li>
 *   <li>Model code sees NCHW; 4-D activations produced by convolutions and pooling are kept NHWC inside
 *       ({@code TfTensor}'s layout tag) and permuted back only when an op needs the logical layout.</li>
 *   <li>Ops not implemented yet throw {@link UnsupportedOperationException} with the message
 *       {@code "tensorflow backend: <op> is not implemented yet"}.</li>
 * </ul>
 */
package org.maskrcnn4j.backend.tf;
