/**
 * Box and mask heads beyond torchvision's defaults. Each implements one of core's small interfaces
 * ({@link org.maskrcnn4j.model.BoxHead}, {@link org.maskrcnn4j.model.MaskHead}, ...) and is swapped in with a
 * Guice override or a {@link org.maskrcnn4j.model.MaskRcnnFactory} subclass; none is here yet.
 */
package org.maskrcnn4j.heads;
