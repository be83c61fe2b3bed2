/**
 * The generated "shapes" dataset ({@link org.maskrcnn4j.examples.shapes.ShapesDataset}): coloured circles, squares,
 * triangles and stars with occlusion, in memory or written in COCO format; the embedded default dataset of the demo.
 */
package org.maskrcnn4j.examples.shapes;
