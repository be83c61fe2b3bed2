/**
 * The tensor SPI: the opaque {@link org.maskrcnn4j.tensor.Tensor}, the op set
 * {@link org.maskrcnn4j.tensor.Ops} that model code is written against, and the
 * {@link org.maskrcnn4j.tensor.Backend} / {@link org.maskrcnn4j.tensor.BackendProvider} contract by which
 * compute backends are discovered with {@link java.util.ServiceLoader}. Model code never reads tensor
 * values; values cross to Java only as {@link org.maskrcnn4j.tensor.HostTensor}s outside model code.
 */
package org.maskrcnn4j.tensor;
