/**
 * The {@code djl} compute backend: the tensor SPI of {@link org.maskrcnn4j.tensor} on DJL with the PyTorch
 * engine, run eagerly.
 *
 * <p>Contract: {@link org.maskrcnn4j.backend.djl.DjlBackendProvider} is found by {@link java.util.ServiceLoader}
 * under the name {@code djl}; it loads the native PyTorch library only in {@code availability()} and
 * {@code create()}. Every call of a compiled function, gradient or training step runs in a fresh
 * {@link ai.djl.ndarray.NDManager} that is closed before the call returns, so native memory does not grow
 * across calls; parameter values and optimizer state (SGD momentum, AdamW moments) live in the backend's long-lived manager until
 * {@link org.maskrcnn4j.backend.djl.DjlBackend#close()}. Autograd uses DJL's
 * {@link ai.djl.training.GradientCollector}; gradient and training calls are serialised because PyTorch's
 * collector is process-wide. Detection primitives: RoIAlign is a sparse (COO) bilinear-weight matrix built in
 * Java from the boxes times the channels-last feature matrix, so PyTorch differentiates it; NMS, sorting and
 * top-k run on host copies inside the op with torchvision's exact float32 arithmetic and tie rules. Only the
 * {@code cpu} device is supported; intra-op threads follow {@link org.maskrcnn4j.tensor.BackendConfig#threads()}.
 *
 * <p>Known engine defects worked around here: DJL's bilinear {@code interpolate} always antialiases (bilinear
 * resize is composed from gathers instead), its {@code batchNorm} takes (input, mean, var, weight, bias)
 * whatever its parameter names say, its casts and clones drop autograd (float-to-float casts use a
 * differentiable form while gradients are recorded), and the oneDNN kernels of libtorch 2.7.1 return wrong input
 * gradients for k>1 convolutions with an output channel count that is not a multiple of 16 (such filters are
 * zero-padded while gradients are recorded). {@code -Dmaskrcnn4j.djl.profile=true} prints per-op wall-clock
 * totals at exit.
 */
package org.maskrcnn4j.backend.djl;
