/**
 * Training: the trainer (SGD or AdamW, optional gradient clipping and accumulation) with warm-up and
 * step/cosine schedules, atomic checkpoints with exact resume, and step listeners for metrics and progress.
 */
package org.maskrcnn4j.train;
