/** Pictures for people: detection overlays and loss curves. */
package org.maskrcnn4j.examples.render;
