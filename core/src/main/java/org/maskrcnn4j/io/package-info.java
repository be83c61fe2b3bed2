/**
 * Reading and writing tensors in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, and checking loaded state dicts against a model.
 *
 * <p>Contract: {@link org.maskrcnn4j.io.SafetensorsFile#open} validates the whole header before returning
 * (header length, UTF-8 JSON without duplicate keys or trailing content other than spaces, known dtypes,
 * non-negative dimensions, offsets inside the data section, byte counts equal to shape size times dtype
 * size, no overlapping tensors) and fails with a {@link org.maskrcnn4j.io.SafetensorsFormatException} that
 * names the file and the offending tensor or field. Tensor data is read lazily, one tensor at a time.
 * {@link org.maskrcnn4j.io.SafetensorsWriter} writes all-or-nothing: a failed write never damages an existing
 * file. Values are little-endian, row-major, as in {@link org.maskrcnn4j.tensor.HostTensor}.
 * {@link org.maskrcnn4j.io.StateDicts} reports every mismatch between a state dict and a model at once.
 */
package org.maskrcnn4j.io;
