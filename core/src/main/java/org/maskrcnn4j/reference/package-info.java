/**
 * Plain-Java reference implementations of the detection operators whose exact semantics Mask R-CNN depends on:
 * RoIAlign (forward and backward), NMS and batched NMS, the box coder and pairwise box IoU.
 *
 * <p>They follow torchvision 0.14 (CPU kernels) exactly, compute in {@code double}, use simple loops over
 * plain Java arrays and favour readability over speed. They are the oracle that the backend conformance
 * kit compares backends against; they are not meant to be used on the inference path. Each class was
 * checked against the torchvision fixtures in {@code shared/fixtures/torchvision/} (see its README,
 * sections 1 to 3).
 */
package org.maskrcnn4j.reference;
