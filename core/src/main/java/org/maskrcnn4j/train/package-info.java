/**
 * Training: the trainer (SGD or AdamW, optional gradient clipping and accumulation) with warm-up and
 * step/cosine schedules, atomic checkpoints (recording the model configuration) with exact resume,
 * batches grouped by aspect ratio and loaded ahead on worker threads, and step listeners for metrics and
 * progress.
 */
package org.maskrcnn4j.train;
