/** Shared pieces of the command-line pipelines: model presets and COCO training data. */
package org.maskrcnn4j.examples.pipeline;
