/**
 * Export of a trained model for serving outside the JVM: {@link org.maskrcnn4j.examples.export.SavedModelExport}
 * writes a TensorFlow SavedModel (TensorFlow backend only) whose {@code serving_default} signature takes an
 * RGB image as TensorFlow Serving clients send it and returns detections in the image's pixels.
 */
package org.maskrcnn4j.examples.export;
