/**
 * {@code maskrcnn bench}: times inference, a train step, RoIAlign and NMS on every backend with the
 * fixtures' formula weights, and compares them with the torchvision baseline
 * ({@code bench/torchvision_baseline.py}) run in the same go. {@link org.maskrcnn4j.examples.bench.BenchRunner}
 * orchestrates, {@link org.maskrcnn4j.examples.bench.BackendBench} measures one backend,
 * {@link org.maskrcnn4j.examples.bench.Comparison} computes ratios and refuses handicapped baselines,
 * {@link org.maskrcnn4j.examples.bench.BenchTable} and {@link org.maskrcnn4j.examples.bench.BenchJson} format.
 */
package org.maskrcnn4j.examples.bench;
