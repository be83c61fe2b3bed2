/**
 * Data: COCO datasets and results ({@link org.maskrcnn4j.data.CocoJson}, streaming JSON), masks as COCO run-length
 * encodings ({@link org.maskrcnn4j.data.Rle}, bit-compatible with pycocotools), polygon rasterization exactly as
 * pycocotools ({@link org.maskrcnn4j.data.Polygons}), image reading ({@link org.maskrcnn4j.data.Images}) and image
 * tensors ({@link org.maskrcnn4j.data.ImageTensors}).
 */
package org.maskrcnn4j.data;
